import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { environmentNameProblem, tagPrefixProblem } from "../../src/config/ref-names.js";

/** Whether `git check-ref-format` accepts these arguments; `undefined` without git. */
function gitAccepts(args: string[]): boolean | undefined {
  try {
    execFileSync("git", ["check-ref-format", ...args], { stdio: "ignore" });
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "ENOENT" ? undefined : false;
  }
}

const hasGit = gitAccepts(["refs/heads/main"]) === true;

describe.skipIf(!hasGit)("ref names agree with git check-ref-format", () => {
  it("environment names: a branch name of their own, and a component of promoter/<env>/<id>", () => {
    const names = fc
      .sample(fc.stringMatching(/^[A-Za-z._H-]{1,6}$/), 150)
      .concat(["HEAD", "-dev", "dev.lock", "dev.", "..", ".dev", "a..b", "a.lock.b", "dev"]);
    for (const name of names) {
      const git =
        gitAccepts(["--branch", name]) === true &&
        gitAccepts([`refs/heads/promoter/${name}/acme/vpc`]) === true;
      expect(environmentNameProblem(name) === undefined, name).toBe(git);
    }
  });

  it("tag prefixes: the start of refs/tags/<prefix>v1.2.3", () => {
    const prefixes = fc
      .sample(fc.stringMatching(/^[a-z./@{~ -]{1,6}$/), 150)
      .concat(["vpc-", "modules/vpc/", "vpc.lock/", "/vpc", "a//b", ".vpc", "vpc@{"]);
    for (const prefix of prefixes) {
      const git = gitAccepts([`refs/tags/${prefix}v1.2.3`]) === true;
      expect(tagPrefixProblem(prefix) === undefined, prefix).toBe(git);
    }
  });
});
