import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";

async function logged(write: (log: Awaited<ReturnType<typeof createLogger>>) => void) {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
  const log = await createLogger({ LOG_FORMAT: "json", LOG_LEVEL: "debug" }, out);
  write(log);
  await new Promise((resolve) => setTimeout(resolve, 50));
  return chunks.join("");
}

describe("the process logger", () => {
  it("never writes a token, a key or an authorization header", async () => {
    const text = await logged((log) => {
      log.info({ token: "ghs_secret1" }, "a token");
      log.child({ repo: "acme/live" }).warn(
        {
          headers: { authorization: "token ghs_secret2" },
          err: {
            message: "Bad credentials",
            request: { headers: { authorization: "bearer ghs_secret3" } },
          },
          options: { privateKey: "-----BEGIN RSA PRIVATE KEY----- secret4" },
        },
        "a request failed",
      );
    });
    expect(text).not.toMatch(/secret\d/);
    expect(text.match(/\[REDACTED\]/g)).toHaveLength(4);
    expect(text).toContain('"repo":"acme/live"');
    expect(text).toContain("Bad credentials");
  });

  it("keeps Probot's level and message key", async () => {
    const text = await logged((log) => {
      log.debug("shown at debug");
      log.trace("not shown");
    });
    const lines = text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: "shown at debug", name: "probot", level: 20 });
  });
});
