import { expect } from "vitest";
import { parseConfig, type Config } from "../../src/config/index.js";
import { sourceFile } from "../../src/iac/source-file.js";
import type {
  Dependency,
  Inventory,
  SourceFile,
  TokenLocation,
  Usage,
} from "../../src/iac/types.js";

/** Builds the files of a repository from a `{ path: content }` record (text as UTF-8, or bytes). */
export function sourceFiles(record: Record<string, string | Buffer>): SourceFile[] {
  return Object.entries(record).map(([path, content]) =>
    sourceFile(path, typeof content === "string" ? Buffer.from(content) : content),
  );
}

/** Parses a config, failing the test if it is invalid. */
export function configFrom(yaml: string): Config {
  const result = parseConfig(yaml);
  if (!result.ok) throw new Error(`invalid test config: ${JSON.stringify(result.errors)}`);
  return result.config;
}

/** dev-*\/**, stage-*\/**, prod-*\/**. */
export const threeEnvConfig: Config = configFrom(`
environments:
  - name: dev
    paths: ["dev-*/**"]
  - name: stage
    paths: ["stage-*/**"]
  - name: prod
    paths: ["prod-*/**"]
`);

/** The dependency `id` of environment `env`; fails the test when there is none. */
export function dependencyOf(inventory: Inventory, env: string, id: string): Dependency {
  const environment = inventory.environments.find((e) => e.name === env);
  expect(environment, `environment ${env}`).toBeDefined();
  const dependency = environment?.dependencies.find((d) => d.id === id);
  expect(
    dependency,
    `${id} in ${env}; found ${environment?.dependencies.map((d) => d.id).join(", ")}`,
  ).toBeDefined();
  return dependency as Dependency;
}

/** The only usage of dependency `id` in environment `env`. */
export function onlyUsage(inventory: Inventory, env: string, id: string): Usage {
  const usages = dependencyOf(inventory, env, id).usages;
  expect(usages).toHaveLength(1);
  return usages[0] as Usage;
}

/** Every dependency id per environment name. */
export function idsByEnvironment(inventory: Inventory): Record<string, string[]> {
  return Object.fromEntries(
    inventory.environments.map((e) => [e.name, e.dependencies.map((d) => d.id)]),
  );
}

/** The text of `[token.start, token.end)` of the token's file, cut by UTF-8 bytes of its decoded content. */
export function tokenText(files: readonly SourceFile[], token: TokenLocation): string {
  const file = files.find((f) => f.path === token.file);
  if (!file) throw new Error(`no file ${token.file}`);
  return Buffer.from(file.content).subarray(token.start, token.end).toString();
}

/**
 * The expected location of the `occurrence`-th `needle` in `content` (0-based), shifted by `skip`
 * characters: UTF-8 byte offsets, 1-based line and (UTF-16) column. An oracle independent of the scanner.
 */
export function locate(
  file: string,
  content: string,
  needle: string,
  options: { skip?: number; occurrence?: number; length?: number } = {},
): TokenLocation {
  let at = -1;
  for (let i = 0; i <= (options.occurrence ?? 0); i++) {
    at = content.indexOf(needle, at + 1);
    if (at === -1) throw new Error(`"${needle}" not found in ${file}`);
  }
  const start = at + (options.skip ?? 0);
  const length = options.length ?? needle.length - (options.skip ?? 0);
  const before = content.slice(0, start);
  const lines = before.split("\n");
  return {
    file,
    start: Buffer.byteLength(before),
    end: Buffer.byteLength(content.slice(0, start + length)),
    line: lines.length,
    column: (lines.at(-1) as string).length + 1,
  };
}
