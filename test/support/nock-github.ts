import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { Octokit } from "../../src/github/repo-ref.js";

/** Probot's Octokit with a token and neither retries nor throttling: nock answers at once. */
export function testOctokit(): Octokit {
  return new ProbotOctokit({
    auth: { token: "test" },
    retry: { enabled: false },
    throttle: { enabled: false },
  });
}

/**
 * For the test file: no real network, and a test fails when an interceptor it set up was not used
 * (every expected request happened).
 */
export function useNock(): void {
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });
}
