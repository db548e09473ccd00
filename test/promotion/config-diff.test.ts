import { describe, expect, it } from "vitest";
import { parseConfig, type Config } from "../../src/config/index.js";
import { diffConfigs, type ConfigChange } from "../../src/promotion/config-diff.js";

function config(yaml: string): Config {
  const result = parseConfig(yaml);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

const CHAIN = `
environments:
  - { name: dev, paths: ["dev/**"] }
  - { name: stage, paths: ["stage/**"] }
  - { name: prod, paths: ["prod/**"], promotion: manual, promoters: [alice, acme/sre] }
`;

describe("diffConfigs", () => {
  it.each<[string, string | undefined, string, ConfigChange[]]>([
    ["the same config", CHAIN, CHAIN, []],
    [
      "the same config written differently (defaults spelled out, promoters reordered)",
      CHAIN,
      `
environments:
  - { name: dev, paths: ["dev/**"], promotion: auto, exclude: [] }
  - { name: stage, paths: ["stage/**"] }
  - { name: prod, paths: ["prod/**"], promotion: manual, promoters: [ACME/sre, alice] }
updates: { strategy: next-safe, schedule: daily }
`,
      [],
    ],
    [
      "no base config: every environment is added",
      undefined,
      CHAIN,
      [
        { kind: "environment-added", environment: "dev", position: 0 },
        { kind: "environment-added", environment: "stage", position: 1 },
        { kind: "environment-added", environment: "prod", position: 2 },
      ],
    ],
    [
      "an environment added in the middle, one removed",
      `
environments:
  - { name: dev, paths: ["dev/**"] }
  - { name: qa, paths: ["qa/**"] }
  - { name: prod, paths: ["prod/**"] }
`,
      `
environments:
  - { name: dev, paths: ["dev/**"] }
  - { name: stage, paths: ["stage/**"] }
  - { name: prod, paths: ["prod/**"] }
`,
      [
        { kind: "environment-added", environment: "stage", position: 1 },
        { kind: "environment-removed", environment: "qa" },
      ],
    ],
    [
      "environments reordered",
      CHAIN,
      `
environments:
  - { name: stage, paths: ["stage/**"] }
  - { name: dev, paths: ["dev/**"] }
  - { name: prod, paths: ["prod/**"], promotion: manual, promoters: [alice, acme/sre] }
`,
      [{ kind: "reordered", before: ["dev", "stage", "prod"], after: ["stage", "dev", "prod"] }],
    ],
    [
      "promotion made auto, promoters dropped, a glob changed",
      CHAIN,
      `
environments:
  - { name: dev, paths: ["dev/**"] }
  - { name: stage, paths: ["stage/**"], exclude: ["stage/tmp/**"] }
  - { name: prod, paths: ["prod/**"] }
`,
      [
        { kind: "paths", environment: "stage" },
        { kind: "promotion", environment: "prod", before: "manual", after: "auto", first: false },
        {
          kind: "promoters",
          environment: "prod",
          before: ["alice", "acme/sre"],
          after: undefined,
        },
      ],
    ],
    [
      "manual on what becomes the first environment (where it is ignored)",
      `
environments:
  - { name: dev, paths: ["dev/**"] }
  - { name: prod, paths: ["prod/**"] }
`,
      `
environments:
  - { name: prod, paths: ["prod/**"], promotion: manual }
`,
      [
        { kind: "environment-removed", environment: "dev" },
        { kind: "promotion", environment: "prod", before: "auto", after: "manual", first: true },
      ],
    ],
    [
      "other settings",
      CHAIN,
      `${CHAIN}
allowSkipping: true
updates: { strategy: latest, ignore: ["acme/*"] }
`,
      [
        { kind: "setting", key: "allowSkipping", before: false, after: true },
        { kind: "setting", key: "updates.strategy", before: "next-safe", after: "latest" },
        { kind: "setting", key: "updates.ignore", before: [], after: ["acme/*"] },
      ],
    ],
  ])("%s", (_, base, head, expected) => {
    expect(diffConfigs(base === undefined ? undefined : config(base), config(head))).toEqual(
      expected,
    );
  });
});
