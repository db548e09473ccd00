import { describe, expect, it } from "vitest";
import {
  bestVerification,
  verificationOf,
  verificationWait,
  type CheckEvidence,
  type Verification,
} from "../../src/promotion/verification.js";

const SHA = "a".repeat(40);
const T0 = Date.parse("2026-12-01T10:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const run = (name: string, state: CheckEvidence["state"], minutes?: number): CheckEvidence => ({
  name,
  kind: "check run",
  state,
  ...(minutes === undefined ? {} : { at: at(minutes) }),
  url: `https://github.com/acme/live/runs/${name.length}`,
});

const verify = { checks: ["terragrunt apply (dev)", "smoke-*"], soak: "1h" };
const decide = (checks: CheckEvidence[], nowMinutes: number, v: typeof verify = verify) =>
  verificationOf(v, { sha: SHA, checks }, T0 + nowMinutes * 60_000);
const summary = (v: Verification) => {
  switch (v.state) {
    case "passed":
      return `passed at ${new Date(v.passedAt).toISOString()}`;
    case "soaking":
      return `soaking until ${new Date(v.until).toISOString()}`;
    case "pending":
      return `pending: ${v.waiting.join("; ")}`;
    case "failed":
      return `failed: ${v.failures.map((f) => f.name).join(", ")}`;
  }
};

describe("verificationOf", () => {
  const apply = (state: CheckEvidence["state"], minutes?: number) =>
    run("terragrunt apply (dev)", state, minutes);
  it.each([
    [
      "nothing reported yet",
      [],
      5,
      "pending: no check named `terragrunt apply (dev)` reported yet; no check named `smoke-*` reported yet",
    ],
    [
      "apply in progress",
      [apply("pending"), run("smoke-eu", "success", 3)],
      5,
      "pending: `terragrunt apply (dev)` is in progress",
    ],
    [
      "apply failed",
      [apply("failure", 4), run("smoke-eu", "success", 3)],
      5,
      "failed: terragrunt apply (dev)",
    ],
    [
      "both passed, soak running",
      [apply("success", 10), run("smoke-eu", "success", 20)],
      30,
      `soaking until ${at(80)}`,
    ],
    [
      "both passed, soak over",
      [apply("success", 10), run("smoke-eu", "success", 20)],
      80,
      `passed at ${at(20)}`,
    ],
    [
      "a failed run re-run with success",
      [apply("failure", 4), apply("success", 9), run("smoke-eu", "success", 3)],
      100,
      `passed at ${at(9)}`,
    ],
    [
      "a passed run re-run, in progress",
      [apply("success", 4), apply("pending"), run("smoke-eu", "success", 3)],
      100,
      "pending: `terragrunt apply (dev)` is in progress",
    ],
    [
      "every check a glob names must pass",
      [apply("success", 4), run("smoke-eu", "success", 3), run("smoke-us", "failure", 5)],
      100,
      "failed: smoke-us",
    ],
  ] as const)("%s", (_what, checks, now, expected) => {
    expect(summary(decide([...checks], now))).toBe(expected);
  });

  it("without soak, passes once the checks pass; with no checks, only soaks from the merge's evidence", () => {
    expect(
      summary(
        decide([apply("success", 4), run("smoke-x", "success", 5)], 6, {
          checks: verify.checks,
          soak: "0s",
        }),
      ),
    ).toBe(`passed at ${at(5)}`);
  });

  it("waits for the named deployment's success, and fails with it", () => {
    const v = { checks: [], deployment: "dev" };
    const of = (deployment?: { state: "success" | "pending" | "failure" | "none"; at?: string }) =>
      summary(
        verificationOf(v, { sha: SHA, checks: [], ...(deployment ? { deployment } : {}) }, T0),
      );
    expect(of()).toBe("pending: no deployment to `dev` of `aaaaaaa` yet");
    expect(of({ state: "pending" })).toBe("pending: the deployment to `dev` is in progress");
    expect(of({ state: "failure" })).toBe("failed: deployment to dev");
    expect(of({ state: "success", at: at(-5) })).toBe(`passed at ${at(-5)}`);
  });

  it("names the evidence of a pass: which checks, when, and the soak", () => {
    const passed = decide([apply("success", 10), run("smoke-eu", "success", 20)], 200);
    expect(passed.state === "passed" && passed.evidence).toEqual([
      `check run \`terragrunt apply (dev)\` succeeded on \`aaaaaaa\` at ${at(10)}`,
      `check run \`smoke-eu\` succeeded on \`aaaaaaa\` at ${at(20)}`,
      "soaked for 1h",
    ]);
  });

  it("keeps a check's name from injecting markdown into what it says", () => {
    const waiting = decide(
      [run("terragrunt apply (dev)", "pending"), run("smoke-`@x`", "pending")],
      1,
    );
    expect(waiting.state === "pending" && waiting.waiting[1]).toBe(
      "`` smoke-`@x` `` is in progress",
    );
  });
});

describe("bestVerification and verificationWait", () => {
  const pending: Verification = {
    state: "pending",
    sha: SHA,
    waiting: ["x"],
    unreported: [],
    silent: false,
  };
  const silent: Verification = { ...pending, unreported: ["x"], silent: true };
  const failed: Verification = {
    state: "failed",
    sha: "b".repeat(40),
    failures: [{ name: "apply" }],
  };
  const soaking = (until: number): Verification => ({
    state: "soaking",
    sha: SHA,
    until,
    evidence: [],
  });
  it("takes any commit's success, the earliest soak, and a failure only when nothing else is left", () => {
    expect(bestVerification([failed, pending])).toBe(pending);
    expect(bestVerification([soaking(T0 + 10), soaking(T0 + 5)])).toEqual(soaking(T0 + 5));
    expect(bestVerification([failed])).toBe(failed);
    expect(bestVerification([silent, failed])).toBe(failed);
    expect(bestVerification([silent, pending])).toBe(pending);
    expect(bestVerification([])).toBeUndefined();
  });

  it("says why a promotion waits", () => {
    expect(verificationWait("dev", pending)).toBe("waits for verification in dev: x");
    expect(verificationWait("dev", soaking(T0))).toBe(`soaks in dev until ${at(0)} (verify.soak)`);
    expect(verificationWait("dev", failed)).toBe(
      "stopped: verification failed in dev on `bbbbbbb`: `apply`",
    );
  });
});
