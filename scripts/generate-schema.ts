// Writes schema/promoter.schema.json from the zod schema of `.github/promoter.yml`.
// With --check, writes nothing and exits 1 if the committed file is out of date.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { configJsonSchema } from "../src/config/schema.js";

const target = fileURLToPath(new URL("../schema/promoter.schema.json", import.meta.url));
const display = relative(process.cwd(), target);
const expected = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;

if (process.argv.includes("--check")) {
  let actual: string | undefined;
  try {
    actual = readFileSync(target, "utf8");
  } catch {
    actual = undefined;
  }
  if (actual !== expected) {
    console.error(
      `${display} is ${actual === undefined ? "missing" : "out of date"}: run \`npm run schema\` and commit the result.`,
    );
    process.exit(1);
  }
  console.log(`${display} is up to date.`);
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, expected);
  console.log(`Wrote ${display}.`);
}
