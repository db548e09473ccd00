import { afterEach, describe, expect, it, vi } from "vitest";
import { formatProblem, parseConfig } from "../../src/config/index.js";

/** A config whose `updates.registry` is `registry`, parsed; its errors formatted. */
function parseRegistry(registry: string) {
  const result = parseConfig(
    [
      "environments: [{ name: dev, paths: [dev/**] }]",
      "updates:",
      `  registry: ${registry}`,
      "",
    ].join("\n"),
  );
  return result.ok
    ? { registry: result.config.updates.registry, errors: [] }
    : { registry: undefined, errors: result.errors.map(formatProblem) };
}

afterEach(() => vi.unstubAllEnvs());

describe("updates.registry", () => {
  it("takes the keywords and https URLs", () => {
    expect(parseRegistry("opentofu")).toEqual({ registry: "opentofu", errors: [] });
    expect(parseRegistry("https://registry.acme.io/tf")).toEqual({
      registry: "https://registry.acme.io/tf",
      errors: [],
    });
  });

  it("refuses a plain http URL, at its line and column, saying how the operator allows one", () => {
    vi.stubEnv("PROMOTER_ALLOW_HTTP_HOSTS", undefined);
    expect(parseRegistry("http://169.254.169.254/latest")).toEqual({
      registry: undefined,
      errors: [
        '.github/promoter.yml:3:13: updates.registry: must be an https URL: plain http is allowed only for the hosts the operator lists in PROMOTER_ALLOW_HTTP_HOSTS (got "http://169.254.169.254/latest")',
      ],
    });
  });

  it("takes a plain http URL on a host the operator lists in PROMOTER_ALLOW_HTTP_HOSTS, and only there", () => {
    vi.stubEnv("PROMOTER_ALLOW_HTTP_HOSTS", "127.0.0.1:8080, registry.test");
    expect(parseRegistry("http://127.0.0.1:8080")).toEqual({
      registry: "http://127.0.0.1:8080",
      errors: [],
    });
    expect(parseRegistry("http://REGISTRY.test/v1")).toEqual({
      registry: "http://REGISTRY.test/v1",
      errors: [],
    });
    expect(parseRegistry("http://127.0.0.1:8081").errors).toHaveLength(1);
    expect(parseRegistry("http://127.0.0.1").errors).toHaveLength(1);
  });

  it("refuses other schemes and non-URLs", () => {
    expect(parseRegistry("ftp://mirror.example.com").errors).toEqual([
      '.github/promoter.yml:3:13: updates.registry: must be "terraform", "opentofu" or an https URL',
    ]);
    expect(parseRegistry("hashicorp").errors).toEqual([
      '.github/promoter.yml:3:13: updates.registry: must be "terraform", "opentofu" or an https URL',
    ]);
  });
});
