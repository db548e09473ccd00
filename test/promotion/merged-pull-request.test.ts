import { describe, expect, it } from "vitest";
import {
  mergeSource,
  mergedVersion,
  type MergedPullRequest,
} from "../../src/promotion/merged-pull-request.js";

const APP = "promoter[bot]";
const ENVIRONMENTS = ["dev", "dev-eu", "stage", "prod"];
const VPC = "acme/terraform-aws-vpc/vpc";

const pull = (fields: Partial<MergedPullRequest> = {}) => ({
  author: APP,
  headRef: "promoter/dev/acme+terraform-aws-vpc+vpc",
  fromFork: false,
  labels: [] as string[],
  ...fields,
});

describe("mergeSource", () => {
  it("knows the app's PR of an artifact of the config, whose id is one component", () => {
    const artifact = pull({ headRef: "promoter/dev/payments-api" });
    expect(mergeSource(artifact, APP, ENVIRONMENTS, new Set(["payments-api"]))).toEqual({
      kind: "app",
      environment: "dev",
      dependency: "payments-api",
    });
    expect(mergeSource(artifact, APP, ENVIRONMENTS)).toBeUndefined();
  });

  it("knows the app's own PR by its author and branch, whatever its labels", () => {
    expect(mergeSource(pull(), APP, ENVIRONMENTS)).toEqual({
      kind: "app",
      environment: "dev",
      dependency: VPC,
    });
    expect(mergeSource(pull({ labels: ["promoter:prod"] }), APP, ENVIRONMENTS)).toEqual({
      kind: "app",
      environment: "dev",
      dependency: VPC,
    });
  });

  it("knows the app's PR from a branch of the legacy form", () => {
    expect(mergeSource(pull({ headRef: `promoter/dev-eu/${VPC}` }), APP, ENVIRONMENTS)).toEqual({
      kind: "app",
      environment: "dev-eu",
      dependency: VPC,
    });
  });

  it("takes a person's PR by its label, even from a promoter/ branch", () => {
    const person = pull({ author: "carol", labels: ["bug", "promoter:stage"] });
    expect(mergeSource(person, APP, ENVIRONMENTS)).toEqual({
      kind: "labelled",
      environment: "stage",
    });
    expect(mergeSource(pull({ author: "carol" }), APP, ENVIRONMENTS)).toBeUndefined();
    expect(mergeSource(pull({ author: "other[bot]" }), APP, ENVIRONMENTS)).toBeUndefined();
  });

  it("takes nothing from a fork, labelled or named like the app's branch", () => {
    expect(mergeSource(pull({ fromFork: true }), APP, ENVIRONMENTS)).toBeUndefined();
    const labelled = pull({ author: "mallory", fromFork: true, labels: ["promoter:dev"] });
    expect(mergeSource(labelled, APP, ENVIRONMENTS)).toBeUndefined();
  });

  it("ignores labels of environments the config does not have, and the hold label", () => {
    const labels = ["promoter:qa", "promoter:hold"];
    expect(mergeSource(pull({ author: "carol", labels }), APP, ENVIRONMENTS)).toBeUndefined();
  });

  it("falls back to the labels when the app's branch names no configured environment", () => {
    const odd = pull({ headRef: `promoter/qa/${VPC}`, labels: ["promoter:dev"] });
    expect(mergeSource(odd, APP, ENVIRONMENTS)).toEqual({ kind: "labelled", environment: "dev" });
  });
});

describe("mergedVersion", () => {
  it("is the newest version the environment runs after the merge", () => {
    expect(mergedVersion(["v1.2.0", "v1.3.0"], VPC)).toEqual([
      { dependency: VPC, version: "v1.3.0" },
    ]);
    expect(mergedVersion([], VPC)).toEqual([]);
  });
});
