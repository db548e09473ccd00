// Preloaded into a measured Node process with `node --import ./bench/rss-probe.mjs …`.
// When that process exits, writes its own process.resourceUsage() (maxRSS in KiB, CPU times in µs)
// as JSON to the file named by BENCH_RUSAGE_FILE. Works for CommonJS and ESM entry points alike.
import { writeFileSync } from "node:fs";

const target = process.env.BENCH_RUSAGE_FILE;
if (target) {
  process.on("exit", (code) => {
    writeFileSync(target, JSON.stringify({ code, ...process.resourceUsage() }));
  });
}
