import { readFileSync } from "node:fs";
import fc from "fast-check";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { configJsonSchema, parseConfig } from "../../src/config/index.js";

const example = readFileSync(new URL("../fixtures/config/example.yml", import.meta.url), "utf8");
const committed = readFileSync(
  new URL("../../schema/promoter.schema.json", import.meta.url),
  "utf8",
);

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
  additionalProperties?: boolean;
  description?: string;
}

/** Every key of `value` must be a described property of `schema`, recursively. */
function expectKeysDescribed(value: unknown, schema: JsonSchema, path = "$"): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => expectKeysDescribed(item, schema.items ?? {}, `${path}[${i}]`));
  } else if (value !== null && typeof value === "object") {
    expect(schema.additionalProperties, path).toBe(false);
    for (const [key, child] of Object.entries(value)) {
      const property = schema.properties?.[key];
      expect(property?.description, `${path}.${key}`).toBeTruthy();
      expectKeysDescribed(child, property ?? {}, `${path}.${key}`);
    }
  }
}

describe("JSON schema", () => {
  it("is in sync with the zod schema (run `npm run schema` if not)", () => {
    expect(committed).toBe(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  });

  it("has a title and a description", () => {
    expect(JSON.parse(committed)).toMatchObject({
      $schema: "http://json-schema.org/draft-07/schema#",
      title: expect.any(String) as string,
      description: expect.any(String) as string,
      required: ["environments"],
    });
  });

  it("describes every key of the example, and requires no defaulted one", () => {
    const schema = JSON.parse(committed) as JsonSchema;
    expectKeysDescribed(parse(example), schema);
    expect(schema.properties?.environments?.items?.required).toEqual(["name", "paths"]);
    expect(schema.properties?.updates?.required).toBeUndefined();
  });
});

describe("parseConfig on arbitrary input", () => {
  it("never throws, and positions every problem inside the file", () => {
    const yamlish = fc.stringMatching(/^[a-z:\-[\]{}"'&*!#,| \n]{0,60}$/);
    const nearlyValid = fc
      .record({
        name: fc.string({ maxLength: 6 }),
        promotion: fc.constantFrom("auto", "manual", "x", "[]"),
        key: fc.constantFrom("paths", "exclude", "oops"),
      })
      .map(
        ({ name, promotion, key }) =>
          `environments:\n  - name: ${JSON.stringify(name)}\n    ${key}: [a]\n    promotion: ${promotion}\n`,
      );
    fc.assert(
      fc.property(fc.oneof(fc.string(), yamlish, nearlyValid), (text) => {
        const result = parseConfig(text);
        const lineCount = text.split("\n").length;
        for (const p of [...(result.ok ? [] : result.errors), ...result.warnings]) {
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.line).toBeLessThanOrEqual(lineCount);
          expect(p.column).toBeGreaterThanOrEqual(1);
          expect(p.message).not.toBe("");
        }
        if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});
