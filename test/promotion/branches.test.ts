import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  branchNameProblem,
  groupBranch,
  isAppCommit,
  isPromotionBranchName,
  legacyPromotionBranch,
  parsePromotionBranch,
  promotionBranch,
} from "../../src/promotion/branches.js";

/** Whether git itself accepts `refs/heads/<name>`. */
function gitAccepts(name: string): boolean {
  try {
    execFileSync("git", ["check-ref-format", `refs/heads/${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const VALID = [
  "promoter/dev/acme/terraform-aws-vpc/vpc",
  "promoter/dev/terraform-aws-modules/s3-bucket/aws",
  "promoter/dev/acme/x/a%20b",
  "promoter/dev/acme/x/ünïcode",
  "promoter/dev/acme/x/a.b",
  "promoter/dev/acme/x/a@b",
  "promoter/dev/acme/x/lock.d",
];
const INVALID: Record<string, string> = {
  "promoter/dev/acme/x/my module": "it contains a space",
  "promoter/dev/acme/x/a..b": 'it contains ".."',
  "promoter/dev/acme/x/a~1": 'it contains "~"',
  "promoter/dev/acme/x/a^b": 'it contains "^"',
  "promoter/dev/acme/x/a:b": 'it contains ":"',
  "promoter/dev/acme/x/a?b": 'it contains "?"',
  "promoter/dev/acme/x/a*": 'it contains "*"',
  "promoter/dev/acme/x/a[b": 'it contains "["',
  "promoter/dev/acme/x/a\\b": "it contains a backslash",
  "promoter/dev/acme/x/a\tb": "it contains a control character",
  "promoter/dev/acme/x/a\u007fb": "it contains a control character",
  "promoter/dev/acme/x/.hidden": 'it contains a path component that starts with "."',
  "promoter/dev/acme/x/x.lock": 'it contains a path component that ends with ".lock"',
  "promoter/dev/acme/x/a@{b}": 'it contains "@{"',
  "promoter/dev/acme/x/end.": 'it contains a "." at the end',
  "promoter/dev/acme//x": "it contains an empty path component",
  "promoter/dev/acme/x/": "it contains an empty path component",
  "promoter/dev/acme/x/my module..v2": 'it contains a space and ".."',
};

describe("branchNameProblem", () => {
  it("accepts what git accepts", () => {
    for (const name of VALID) {
      expect(gitAccepts(name), name).toBe(true);
      expect(branchNameProblem(name), name).toBeUndefined();
    }
  });

  it("refuses what git refuses, saying why without echoing the name", () => {
    for (const [name, problem] of Object.entries(INVALID)) {
      expect(gitAccepts(name), JSON.stringify(name)).toBe(false);
      expect(branchNameProblem(name), JSON.stringify(name)).toBe(problem);
    }
  });
});

/** Ids as the scanner makes them, hostile ones included: nested, host-prefixed, dotted, cased, odd. */
const IDS = [
  "acme/terraform-aws-vpc",
  "acme/terraform-aws-vpc/subnets",
  "acme/terraform-aws-vpc/subnets/private",
  "gitlab.example.com/acme/mods/vpc",
  "gitlab.example.com/acme/mods",
  "Acme/Terraform-AWS-VPC",
  "acme/terraform-aws-vpc+subnets",
  "acme/x/a%2Fb",
  "acme/x/a b",
  "acme/x/ünïcode",
  "acme/x/a..b",
  "acme/x/..",
  ".hidden/x",
  "acme/x.lock",
  "acme/end.",
  "acme/x/a~1^2:3?*[\\@{}",
  "terraform-aws-modules/s3-bucket/aws",
];

describe("promotionBranch", () => {
  it("is readable: promoter/<env>/<id> with the id's slashes as +", () => {
    expect(promotionBranch("qa", "acme/terraform-aws-vpc/subnets")).toBe(
      "promoter/qa/acme+terraform-aws-vpc+subnets",
    );
    expect(promotionBranch("dev", "gitlab.example.com/acme/mods/vpc")).toBe(
      "promoter/dev/gitlab.example.com+acme+mods+vpc",
    );
    expect(promotionBranch("dev", "Acme/VPC")).toBe("promoter/dev/Acme+VPC");
  });

  it("is a name git accepts, for every id", () => {
    for (const id of IDS) {
      const branch = promotionBranch("dev", id);
      expect(gitAccepts(branch), `${id} → ${branch}`).toBe(true);
      expect(branchNameProblem(branch), branch).toBeUndefined();
    }
  });

  it("never collides: no two ids share a branch, and no branch is a path prefix of another", () => {
    const branches = ["dev", "dev-eu", "stage"].flatMap((env) =>
      IDS.map((id) => promotionBranch(env, id)),
    );
    expect(new Set(branches).size).toBe(branches.length);
    for (const a of branches)
      for (const b of branches) expect(b.startsWith(`${a}/`), `${a} and ${b}`).toBe(false);
  });

  it("is read back to its environment and id, in either case", () => {
    for (const id of IDS) {
      expect(parsePromotionBranch(promotionBranch("stage", id), ["dev", "stage"]), id).toEqual({
        environment: "stage",
        dependency: id,
        legacy: false,
      });
    }
  });

  it("still reads the legacy form, promoter/<env>/<id> as it is", () => {
    expect(legacyPromotionBranch("qa", "acme/terraform-aws-vpc/subnets")).toBe(
      "promoter/qa/acme/terraform-aws-vpc/subnets",
    );
    expect(parsePromotionBranch("promoter/qa/acme/terraform-aws-vpc/subnets", ["qa"])).toEqual({
      environment: "qa",
      dependency: "acme/terraform-aws-vpc/subnets",
      legacy: true,
    });
  });

  it("reads no branch that is not exactly the encoding of an id", () => {
    for (const branch of [
      "promoter/dev/acme",
      "promoter/dev/acme+",
      "promoter/dev/+acme",
      "promoter/dev/acme%2fx+y",
      "promoter/dev/acme%2Fx+y",
      "promoter/dev/acme+%E0",
      "promoter/dev/acme+a%20b",
    ]) {
      const read = parsePromotionBranch(branch, ["dev"]);
      if (branch.endsWith("a%20b")) expect(read).toMatchObject({ dependency: "acme/a b" });
      else expect(read, branch).toBeUndefined();
    }
  });
});

describe("parsePromotionBranch: artifacts", () => {
  it("reads a one-component id only when it is one of the given artifacts", () => {
    const branch = promotionBranch("stage", "payments-api");
    expect(branch).toBe("promoter/stage/payments-api");
    expect(parsePromotionBranch(branch, ["stage"])).toBeUndefined();
    expect(parsePromotionBranch(branch, ["stage"], new Set(["payments-api"]))).toEqual({
      environment: "stage",
      dependency: "payments-api",
      legacy: false,
    });
    expect(parsePromotionBranch("promoter/stage/wip", ["stage"], new Set(["payments-api"]))).toBe(
      undefined,
    );
  });
});

describe("groupBranch", () => {
  it("is promoter/<env>/group-<name>, read back to its environment and group", () => {
    expect(groupBranch("stage", "aws-modules")).toBe("promoter/stage/group-aws-modules");
    expect(gitAccepts(groupBranch("stage", "aws.modules_2"))).toBe(true);
    expect(parsePromotionBranch("promoter/stage/group-aws-modules", ["dev", "stage"])).toEqual({
      environment: "stage",
      group: "aws-modules",
    });
  });

  it("never meets a dependency's branch, in either form", () => {
    // A dependency's one component always has a "+"; a legacy one has several components.
    expect(parsePromotionBranch(promotionBranch("dev", "group-x/y"), ["dev"])).toEqual({
      environment: "dev",
      dependency: "group-x/y",
      legacy: false,
    });
    expect(parsePromotionBranch("promoter/dev/group-x/y", ["dev"])).toMatchObject({ legacy: true });
    expect(parsePromotionBranch("promoter/dev/group-", ["dev"])).toBeUndefined();
    expect(parsePromotionBranch("promoter/dev/group-a%20b", ["dev"])).toBeUndefined();
    expect(isPromotionBranchName(groupBranch("dev", "aws"), ["dev"])).toBe(true);
  });
});

describe("isPromotionBranchName", () => {
  const environments = ["dev", "stage"];

  it("is promoter/<env>/<dependency id> for a configured environment", () => {
    expect(isPromotionBranchName("promoter/dev/acme/terraform-aws-vpc/vpc", environments)).toBe(
      true,
    );
    expect(isPromotionBranchName("promoter/stage/hashicorp/consul/aws", environments)).toBe(true);
    expect(isPromotionBranchName("promoter/dev/acme/sqs", environments)).toBe(true);
    expect(isPromotionBranchName("promoter/dev/acme+terraform-aws-vpc+vpc", environments)).toBe(
      true,
    );
  });

  it("is not a person's branch under promoter/, nor another environment's", () => {
    for (const branch of [
      "promoter/rename-environments-wip",
      "promoter/dev",
      "promoter/dev/wip",
      "promoter/dev//x",
      "promoter/prod/acme/vpc",
      "promoter/development/acme/vpc",
      "other/dev/acme/vpc",
    ]) {
      expect(isPromotionBranchName(branch, environments), branch).toBe(false);
    }
  });
});

describe("isAppCommit", () => {
  const app = "promoter[bot]";

  it("is a commit the app authored, committed by the app or signed by GitHub for it", () => {
    expect(isAppCommit({ authorLogin: app, committerLogin: "web-flow", verified: true }, app)).toBe(
      true,
    );
    expect(isAppCommit({ authorLogin: app, committerLogin: app, verified: false }, app)).toBe(true);
    expect(isAppCommit({ authorLogin: app, verified: true }, app)).toBe(true);
  });

  it("is not a person's commit, nor the app's commit amended by a person", () => {
    expect(
      isAppCommit({ authorLogin: "alice", committerLogin: "web-flow", verified: true }, app),
    ).toBe(false);
    expect(isAppCommit({ committerLogin: "web-flow", verified: true }, app)).toBe(false);
    expect(isAppCommit({ authorLogin: app, committerLogin: "alice", verified: true }, app)).toBe(
      false,
    );
    // An amend by someone whose email GitHub does not know: no committer login, not verified.
    expect(isAppCommit({ authorLogin: app, verified: false }, app)).toBe(false);
  });
});
