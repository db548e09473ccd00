#!/usr/bin/env node
// `npm run bench:parsers`: the HCL parsers the design names, on the same files of the bench tree.
//
//   node bench/parser-bench.mjs [--files 2000]
//
// Promoter's own parser (dist/iac/hcl-parser.js) against tree-sitter's HCL grammar in WebAssembly
// (raw parse only, no conversion) and hcl2-parser (HashiCorp's parser compiled to JavaScript, which
// verifies edited files). Each parses the same sample of files; times are per file and extrapolated
// to the whole tree.

import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureLiveRepo } from "./generate-live-repo.mjs";

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const sampleSize = Number(args[args.indexOf("--files") + 1]) || 2000;

const tree = await ensureLiveRepo({ units: 20000, seed: 1 });
const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const { listDirectory } = await import(
  pathToFileURL(join(dist, "local", "read-directory.js")).href
);
const { parseHcl } = await import(pathToFileURL(join(dist, "iac", "hcl-parser.js")).href);
const all = listDirectory(tree.dir).filter((p) => /\.(hcl|tf)$/.test(p));
const step = Math.max(1, Math.floor(all.length / sampleSize));
const sample = all.filter((_, i) => i % step === 0).slice(0, sampleSize);
const texts = sample.map((p) => readFileSync(join(tree.dir, p), "utf8"));

function time(name, parse) {
  parse(texts[0]); // load and warm up
  const start = performance.now();
  for (const text of texts) parse(text);
  const perFile = (performance.now() - start) / texts.length;
  return { name, perFileMs: perFile, wholeTreeS: (perFile * all.length) / 1000 };
}

const { Parser, Language } = await import("web-tree-sitter");
await Parser.init();
const language = await Language.load(
  require.resolve("@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-hcl.wasm"),
);
const treeSitter = new Parser();
treeSitter.setLanguage(language);
const hcl2 = require("hcl2-parser");

const results = [
  time("promoter hcl-parser (model)", (t) => parseHcl(t)),
  time("tree-sitter HCL, wasm (raw parse)", (t) => treeSitter.parse(t)?.delete()),
  time("hcl2-parser (to JSON)", (t) => hcl2.parseToString(t)),
];
const base = results[0].perFileMs;
console.log(`${texts.length} files sampled from ${all.length} (${tree.dir})\n`);
for (const r of results) {
  console.log(
    `${r.name.padEnd(36)} ${r.perFileMs.toFixed(3).padStart(8)} ms/file  ${r.wholeTreeS.toFixed(2).padStart(7)} s for the tree  ${(r.perFileMs / base).toFixed(1).padStart(6)}×`,
  );
}
