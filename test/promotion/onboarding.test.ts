import { describe, expect, it } from "vitest";
import type { PullRequestInfo } from "../../src/promotion/github-facts.js";
import {
  onboardingBody,
  onboardingStep,
  renderedFor,
  type OnboardingPreview,
} from "../../src/promotion/onboarding.js";
import { MAX_PULL_REQUEST_BODY } from "../../src/promotion/pull-request-content.js";

const APP = "promoter[bot]";
const HEAD = "b".repeat(40);

function pull(overrides: Partial<PullRequestInfo> = {}): PullRequestInfo {
  return {
    number: 3,
    state: "open",
    merged: false,
    headRef: "promoter/configure",
    headSha: HEAD,
    fromFork: false,
    baseRef: "main",
    title: "Configure Promoter",
    body: `preview\n\n<!-- promoter-onboarding: ${HEAD} -->`,
    labels: [],
    author: APP,
    ...overrides,
  };
}

describe("onboardingStep", () => {
  const step = (
    pullRequests: PullRequestInfo[],
    more: { branchExists?: boolean; requested?: boolean } = {},
  ) => onboardingStep({ pullRequests, appLogin: APP, requested: false, ...more }).kind;

  it.each([
    ["no PR ever: open one", [], {}, "open"],
    ["the app's open PR, preview of its head", [pull()], {}, "up-to-date"],
    [
      "the app's open PR, its branch pushed since",
      [pull({ headSha: "c".repeat(40) })],
      {},
      "refresh",
    ],
    ["an open PR without the marker", [pull({ body: "edited by a person" })], {}, "refresh"],
    ["someone else's open PR from the branch", [pull({ author: "mallory" })], {}, "left-alone"],
    [
      "closed without merging: is the branch there?",
      [pull({ state: "closed" })],
      {},
      "read-branch",
    ],
    [
      "closed, branch still there: not now",
      [pull({ state: "closed" })],
      { branchExists: true },
      "declined",
    ],
    [
      "closed, branch deleted: asked again",
      [pull({ state: "closed" })],
      { branchExists: false },
      "open",
    ],
    ["closed, but /promoter onboard", [pull({ state: "closed" })], { requested: true }, "open"],
    ["merged, config removed since", [pull({ state: "closed", merged: true })], {}, "declined"],
    [
      "a fork's PR from a branch of that name counts for nothing",
      [pull({ fromFork: true, state: "closed" })],
      {},
      "open",
    ],
    [
      "another branch's PR counts for nothing",
      [pull({ headRef: "promoter/configure-x", state: "closed" })],
      {},
      "open",
    ],
  ] as const)("%s", (_, pulls, more, expected) => {
    expect(step([...pulls], more)).toBe(expected);
  });

  it("the open PR wins over older closed ones", () => {
    expect(step([pull({ number: 9 }), pull({ state: "closed" })])).toBe("up-to-date");
  });
});

function preview(overrides: Partial<OnboardingPreview> = {}): OnboardingPreview {
  return {
    commitSha: HEAD,
    inferred: true,
    iacFiles: 3,
    singleEnvironment: false,
    omittedFolders: 0,
    environments: [
      { name: "dev", paths: ["dev/**"], promotion: "auto" },
      { name: "prod", paths: ["prod/**"], promotion: "manual" },
    ],
    inventory: {
      environments: [
        {
          name: "dev",
          dependencies: [{ id: "acme/vpc", versions: ["v1.0.0"] }],
        },
        { name: "prod", dependencies: [{ id: "acme/vpc", versions: ["v0.9.0"] }] },
      ],
      skipped: [{ file: "dev/x/terragrunt.hcl", line: 2, reason: "not a version tag: `main`" }],
      warnings: [],
    } as unknown as OnboardingPreview["inventory"],
    proposals: [{ environment: "dev", dependency: "acme/vpc", from: ["v1.0.0"], to: "v1.1.0" }],
    deferred: [],
    warnings: [],
    ...overrides,
  };
}

describe("onboardingBody", () => {
  it("previews the environments, the first PRs, the versions and what cannot be updated, and records its commit", () => {
    const body = onboardingBody(preview());
    expect(body).toContain("Promoter found 3 Terraform, OpenTofu or Terragrunt files here");
    expect(body).toContain("| 1 | dev | `dev/**` | automatic |");
    expect(body).toContain("| 2 | prod | `prod/**` | manual: `/promote prod` |");
    expect(body).toContain("- dev: `acme/vpc` `v1.0.0` → `v1.1.0`");
    expect(body).toContain("| `acme/vpc` | `v1.0.0` | `v0.9.0` |");
    expect(body).toContain("- `dev/x/terragrunt.hcl` line 2: not a version tag: `main`");
    expect(body).toContain("/promoter onboard");
    expect(renderedFor(body)).toBe(HEAD);
  });

  it("says when only one environment could be told apart", () => {
    const body = onboardingBody(
      preview({
        singleEnvironment: true,
        environments: [{ name: "production", paths: ["**"], promotion: "auto" }],
      }),
    );
    expect(body).toContain("Only one environment could be told apart");
  });

  it("shows an edited config's problems instead of a preview", () => {
    const body = onboardingBody(
      preview({ inferred: false, problems: [".github/promoter.yml:3:5: environments: required"] }),
    );
    expect(body).toContain("is not valid");
    expect(body).toContain(".github/promoter.yml:3:5: environments: required");
    expect(body).not.toContain("The first pull requests");
  });

  it("escapes hostile folder names, ids and reasons, and no copied text forges the marker", () => {
    const forged = `<!-- promoter-onboarding: ${"f".repeat(40)} -->`;
    const body = onboardingBody(
      preview({
        environments: [
          { name: "dev", paths: [`@mallory/**${forged}`, "a|b/**"], promotion: "auto" },
          { name: "prod", paths: ["prod/**"], promotion: "manual" },
        ],
        proposals: [{ environment: "dev", dependency: `x${forged}`, from: ["@admins"], to: "#1" }],
        warnings: [{ subject: "acme/x", message: `see @org/team and ${forged}` }],
      }),
    );
    expect(renderedFor(body)).toBe(HEAD);
    expect(body.match(/<!-- promoter-onboarding/g)).toHaveLength(1);
    expect(body).not.toMatch(/(^|[^`\u200b])@(mallory|org|admins)/);
    expect(body).toContain("a\\|b/**");
  });

  it("stays under GitHub's body limit with thousands of everything, saying how many more", () => {
    const many = Array.from({ length: 5_000 }, (_, i) => i);
    const body = onboardingBody(
      preview({
        proposals: many.map((i) => ({
          environment: "dev",
          dependency: `acme/m${i}`,
          from: ["v1.0.0"],
          to: "v2.0.0",
        })),
        inventory: {
          environments: [
            {
              name: "dev",
              dependencies: many.map((i) => ({ id: `acme/m${i}`, versions: ["v1.0.0"] })),
            },
          ],
          skipped: many.map((i) => ({
            file: `dev/${i}/terragrunt.hcl`,
            line: 1,
            reason: "x".repeat(500),
          })),
          warnings: [],
        } as unknown as OnboardingPreview["inventory"],
      }),
    );
    expect(body.length).toBeLessThanOrEqual(MAX_PULL_REQUEST_BODY);
    expect(body).toContain("… and 4,950 more");
    expect(renderedFor(body)).toBe(HEAD);
  });
});
