import nock from "nock";
import { describe, expect, it } from "vitest";
import { OutboundRefusal, outboundFetch } from "../../src/versions/outbound-fetch.js";
import { useNock } from "../support/nock-github.js";

useNock();

/** A fetch whose answers are streams of `chunks` bytes each, without a content-length. */
function streamingFetch(chunks: number, chunkBytes: number, read: { chunks: number }) {
  return (() => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === chunks) return controller.close();
        sent++;
        read.chunks = sent;
        controller.enqueue(new Uint8Array(chunkBytes));
      },
    });
    return Promise.resolve(new Response(body, { status: 200 }));
  }) as typeof fetch;
}

describe("outboundFetch", () => {
  it("hands on the answer: status, headers and body", async () => {
    nock("https://registry.example.com").get("/v1").reply(200, { ok: true }, { etag: '"e"' });
    const response = await outboundFetch()("https://registry.example.com/v1");
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe('"e"');
    expect(await response.json()).toEqual({ ok: true });
  });

  it("hands on an answer without body (304)", async () => {
    nock("https://registry.example.com").get("/v1").reply(304);
    const response = await outboundFetch()("https://registry.example.com/v1");
    expect(response.status).toBe(304);
  });

  it("follows a redirect to the same origin only", async () => {
    nock("https://a.example.com")
      .get("/one")
      .reply(301, "", { location: "/two" })
      .get("/two")
      .reply(200, "here")
      .get("/away")
      .reply(302, "", { location: "https://a.example.com.evil.example/x" });
    expect(await (await outboundFetch()("https://a.example.com/one")).text()).toBe("here");
    await expect(outboundFetch()("https://a.example.com/away")).rejects.toThrow(
      "https://a.example.com/away redirected to another host (https://a.example.com.evil.example); not followed",
    );
  });

  it("does not follow a redirect loop for ever", async () => {
    nock("https://a.example.com").get("/loop").times(6).reply(302, "", { location: "/loop" });
    await expect(outboundFetch()("https://a.example.com/loop")).rejects.toThrow(
      /more than 5 redirects; not followed/,
    );
  });

  it("refuses an announced answer over the cap without reading it", async () => {
    nock("https://a.example.com")
      .get("/big")
      .reply(200, "x".repeat(2000), { "content-length": "2000" });
    const error = await outboundFetch(fetch, { maxBytes: 1000 })("https://a.example.com/big").catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OutboundRefusal);
    expect(error).toMatchObject({
      httpStatus: 200,
      message: "https://a.example.com/big: the answer is larger than 1000 bytes; refused",
    });
  });

  it("stops reading a streamed answer once it passes the cap", async () => {
    const read = { chunks: 0 };
    const limited = outboundFetch(streamingFetch(1000, 1024 * 1024, read));
    await expect(limited("https://a.example.com/stream")).rejects.toThrow(
      /the answer is larger than 5 MiB; refused/,
    );
    expect(read.chunks).toBeLessThanOrEqual(7);
    const small = outboundFetch(streamingFetch(3, 1024, { chunks: 0 }));
    expect((await (await small("https://a.example.com/stream")).arrayBuffer()).byteLength).toBe(
      3072,
    );
  });

  it("gives up on a host that does not answer in time", async () => {
    nock("https://slow.example.com").get("/").delay(2000).reply(200, "late");
    const error = await outboundFetch(fetch, { timeoutMs: 50 })("https://slow.example.com/").catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OutboundRefusal);
    expect((error as Error).message).toBe("https://slow.example.com did not answer within 0.05 s");
  });
});
