import { describe, expect, it } from "vitest";
import { applyEdits, applyVerifiedEdits, planEdits } from "../../src/iac/edits.js";
import { scan } from "../../src/iac/scanner.js";
import type { Inventory } from "../../src/iac/types.js";
import { checkCommitPins } from "../../src/promotion/commit-pins.js";
import { dependenciesToList, plan } from "../../src/promotion/plan.js";
import { promotionFor } from "../../src/promotion/requested-promotion.js";
import { dependencyOf, sourceFiles, threeEnvConfig } from "../iac/helpers.js";

const config = threeEnvConfig;
const IAM = "acme/terraform-aws-iam";
const GIT_IAM = "git::https://github.com/acme/terraform-aws-iam.git";
const V120 = "3f2a9c1d4e5b6a7980123456789abcdef0123456";
const V130 = "9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c";
const OTHER = "0000000000000000000000000000000000000abc";
const TAGS = new Map([
  ["v1.2.0", V120],
  ["v1.3.0", V130],
]);

const tf = (sha: string, comment: string, eol = "\n") =>
  `module "iam" {${eol}  source = "${GIT_IAM}?ref=${sha}" ${comment}${eol}}${eol}`;
const unit = (sha: string, comment: string) =>
  `locals {\n  ref = "${sha}" ${comment}\n}\n\nterraform {\n  source = "${GIT_IAM}?ref=\${local.ref}"\n}\n`;

function scanRepo(record: Record<string, string>) {
  const files = sourceFiles(record);
  return { files, inventory: scan(files, config).inventory };
}

const checked = (inventory: Inventory, tags = TAGS) =>
  checkCommitPins(inventory, new Map([[IAM, tags]]));

describe("checkCommitPins", () => {
  it("keeps a pin whose comment names its SHA's tag, and gives the dependency the listing", () => {
    const { inventory } = scanRepo({ "dev-a/main.tf": tf(V120, "# v1.2.0") });
    const result = checked(inventory);
    expect(result.warnings).toEqual([]);
    const dependency = dependencyOf(result.inventory, "dev", IAM);
    expect(dependency.usages[0]?.notPromotable).toBeUndefined();
    expect(dependency.commits).toBe(TAGS);
  });

  it("accepts a short SHA that starts the tag's commit, in any case", () => {
    const { inventory } = scanRepo({
      "dev-a/main.tf": tf(V120.slice(0, 7).toUpperCase(), "# v1.2.0"),
    });
    expect(checked(inventory).warnings).toEqual([]);
  });

  it("reports a comment that names another commit's tag, and leaves the pin alone", () => {
    const { inventory } = scanRepo({ "dev-a/main.tf": tf(OTHER, "# v1.2.0") });
    const result = checked(inventory);
    const reason = `the comment says v1.2.0 but the SHA is ${OTHER}, and v1.2.0 is ${V120.slice(0, 12)}`;
    expect(result.warnings).toEqual([
      { dependency: IAM, message: `dev-a/main.tf:2: ${reason}; the pin is not edited` },
    ]);
    expect(dependencyOf(result.inventory, "dev", IAM).usages[0]?.notPromotable).toBe(reason);
    // The inventory it was given is not changed: it is what a re-scan after an edit is compared with.
    expect(dependencyOf(inventory, "dev", IAM).usages[0]?.notPromotable).toBeUndefined();
  });

  it("reports a comment naming a tag the repository does not have", () => {
    const { inventory } = scanRepo({ "dev-a/main.tf": tf(V120, "# v9.9.9") });
    expect(checked(inventory).warnings).toEqual([
      {
        dependency: IAM,
        message:
          "dev-a/main.tf:2: the comment says v9.9.9 but acme/terraform-aws-iam has no tag v9.9.9; the pin is not edited",
      },
    ]);
  });

  it("leaves a pin not promotable, without a warning of its own, when the tags were not listed", () => {
    const { inventory } = scanRepo({ "dev-a/main.tf": tf(V120, "# v1.2.0") });
    const result = checkCommitPins(inventory, new Map());
    expect(result.warnings).toEqual([]);
    expect(dependencyOf(result.inventory, "dev", IAM).usages[0]?.notPromotable).toBe(
      "its commit SHA cannot be checked against its comment v1.2.0: the tags of acme/terraform-aws-iam were not listed",
    );
  });
});

describe("editing a SHA pin", () => {
  it("rewrites the SHA and the comment's version, every other byte kept (CRLF too)", () => {
    const record = { "dev-a/main.tf": tf(V120, "#  v1.2.0 pinned", "\r\n") };
    const { files, inventory } = scanRepo(record);
    const edits = planEdits(checked(inventory).inventory, IAM, "dev", "v1.3.0");
    expect(edits.ok).toBe(true);
    if (!edits.ok) return;
    expect(edits.edits.map((e) => [e.before, e.after])).toEqual([
      [V120, V130],
      ["v1.2.0", "v1.3.0"],
    ]);
    expect(edits.from).toEqual(["v1.2.0"]);
    const verified = applyVerifiedEdits(files, config, inventory, edits.edits, {
      dependencyId: IAM,
      environment: "dev",
      targetVersion: "v1.3.0",
    });
    expect(verified.ok).toBe(true);
    expect(verified.ok && verified.files[0]?.bytes.toString()).toBe(
      tf(V130, "#  v1.3.0 pinned", "\r\n"),
    );
  });

  it("keeps a short SHA short, and edits a Terragrunt ref local where it is written", () => {
    const { files, inventory } = scanRepo({
      "dev-a/iam/terragrunt.hcl": unit(V120.slice(0, 7), "# v1.2.0"),
    });
    const edits = planEdits(checked(inventory).inventory, IAM, "dev", "v1.3.0");
    if (!edits.ok) throw new Error(edits.reason);
    const [changed] = applyEdits(files, edits.edits);
    expect(changed?.bytes.toString()).toBe(unit(V130.slice(0, 7), "# v1.3.0"));
  });

  it("refuses when the new version's commit is not known", () => {
    const { inventory } = scanRepo({ "dev-a/main.tf": tf(V120, "# v1.2.0") });
    const edits = planEdits(
      checked(inventory, new Map([["v1.2.0", V120]])).inventory,
      IAM,
      "dev",
      "v1.3.0",
    );
    expect(edits).toEqual({
      ok: false,
      reason: `${IAM} cannot be updated in dev: it is pinned by commit SHA, and the commit of v1.3.0 is not known (its repository's tags were not listed, or have no v1.3.0)`,
    });
  });

  it("refuses an edit that changes another environment's SHA", () => {
    const { files, inventory } = scanRepo({
      "dev-a/main.tf": tf(V120, "# v1.2.0"),
      "stage-a/main.tf": tf(V120, "# v1.2.0"),
    });
    const stage = dependencyOf(inventory, "stage", IAM).usages[0]?.commit?.token;
    if (!stage) throw new Error("no SHA token in stage");
    const edit = { ...stage, before: V120, after: V130 };
    const verified = applyVerifiedEdits(files, config, inventory, [edit], {
      dependencyId: IAM,
      environment: "dev",
      targetVersion: "v1.3.0",
    });
    expect(verified.ok).toBe(false);
    expect(!verified.ok && verified.reason).toContain(`stage ${IAM} stage-a/main.tf:2 git-commit`);
  });
});

describe("planning with SHA pins", () => {
  const record = {
    "dev-a/main.tf": tf(V130, "# v1.3.0"),
    "stage-a/main.tf": tf(V120, "# v1.2.0"),
    "prod-a/main.tf": tf(OTHER, "# v1.2.0"),
  };

  it("lists the pinned dependency of every environment, once each", () => {
    const { inventory } = scanRepo(record);
    expect(dependenciesToList(inventory, config).map((d) => d.id)).toEqual([IAM, IAM, IAM]);
  });

  it("updates the first environment to the next tag's commit, promotes exactly the SHA dev runs, and holds a mismatching pin", () => {
    const { inventory } = scanRepo({ ...record, "dev-a/main.tf": tf(V120, "# v1.2.0") });
    const pins = checked(inventory);
    const decided = plan(pins.inventory, new Map([[IAM, ["v1.2.0", "v1.3.0"]]]), config, []);
    expect(
      decided.proposals.map((p) => [p.environment, p.to, p.edits.map((e) => e.after)]),
    ).toEqual([["dev", "v1.3.0", [V130, "v1.3.0"]]]);
    expect(pins.warnings.map((w) => w.message)).toEqual([
      expect.stringContaining("prod-a/main.tf:2: the comment says v1.2.0 but the SHA is"),
    ]);
  });

  it("promotes dev's SHA and comment to stage, and proposes nothing for prod's mismatching pin", () => {
    const { inventory } = scanRepo(record);
    const decided = plan(checked(inventory).inventory, new Map([[IAM, ["v1.3.0"]]]), config, []);
    expect(
      decided.proposals.map((p) => [p.environment, p.reason, p.edits.map((e) => e.after)]),
    ).toEqual([["stage", "promotion", [V130, "v1.3.0"]]]);
    expect(decided.deferred).toEqual([]);
  });

  it("after a merge, without a listing, promotes the SHA the environment before runs", () => {
    const { inventory } = scanRepo(record);
    const decision = promotionFor(inventory, config, {
      environment: "stage",
      dependency: IAM,
      version: "v1.3.0",
    });
    expect(decision.status).toBe("propose");
    if (decision.status !== "propose") return;
    expect(decision.proposal.edits.map((e) => [e.before, e.after])).toEqual([
      [V120, V130],
      ["v1.2.0", "v1.3.0"],
    ]);
  });
});
