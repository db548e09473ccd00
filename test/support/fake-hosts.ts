import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

/** One request a fake host received. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  authorization?: string;
}

/** A git host or registry on 127.0.0.1 (a real `node:http` server) that records every request it receives. */
export interface FakeHost {
  /** `127.0.0.1:<port>`. */
  host: string;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** One pkt-line: its length (4 hex digits, themselves included), then the payload. */
export function pktLine(payload: string | Buffer): Buffer {
  const bytes = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  return Buffer.concat([Buffer.from((bytes.length + 4).toString(16).padStart(4, "0")), bytes]);
}

const FLUSH = Buffer.from("0000");
const OID = "a".repeat(40);

/**
 * The answer of `info/refs?service=git-upload-pack` listing `refs` (names such as `refs/tags/v1.0.0`
 * or `refs/tags/v1.0.0^{}`), as git writes it: the service line, a flush, the refs (the first with
 * the capabilities), a flush.
 */
export function advertisement(refs: readonly string[]): Buffer {
  const lines = refs.map((ref, i) =>
    pktLine(`${OID} ${ref}${i === 0 ? "\0multi_ack side-band-64k ofs-delta" : ""}\n`),
  );
  return Buffer.concat([pktLine("# service=git-upload-pack\n"), FLUSH, ...lines, FLUSH]);
}

/** The content type git's smart HTTP protocol answers `info/refs` with. */
export const ADVERTISEMENT_TYPE = "application/x-git-upload-pack-advertisement";

/**
 * Starts a fake host that answers each request with `answer` (or 404 when it returns nothing)
 * and records it first.
 */
export async function startFakeHost(
  answer: (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>,
): Promise<FakeHost> {
  const received: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    received.push({
      method: request.method ?? "",
      url: request.url ?? "",
      ...(request.headers.authorization !== undefined && {
        authorization: request.headers.authorization,
      }),
    });
    void Promise.resolve(answer(request, response)).then((answered) => {
      if (!answered) response.writeHead(404).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return {
    host: `127.0.0.1:${port}`,
    origin: `http://127.0.0.1:${port}`,
    received,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

/** Answers each path of `repositories` (e.g. `/acme/mods.git/info/refs`) with its refs' advertisement. */
export function serveAdvertisements(repositories: Record<string, readonly string[]>) {
  return (request: IncomingMessage, response: ServerResponse): boolean => {
    const url = new URL(request.url ?? "/", "http://x");
    const refs = repositories[url.pathname];
    if (refs === undefined || url.searchParams.get("service") !== "git-upload-pack") return false;
    response.writeHead(200, { "content-type": ADVERTISEMENT_TYPE }).end(advertisement(refs));
    return true;
  };
}

/**
 * Answers through `git http-backend` (git's own smart HTTP server, as a CGI program) over the bare
 * repositories under `projectRoot`.
 */
export function serveGitHttpBackend(projectRoot: string) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const url = new URL(request.url ?? "/", "http://x");
    const cgi = spawn("git", ["http-backend"], {
      env: {
        PATH: process.env.PATH ?? "",
        GIT_PROJECT_ROOT: projectRoot,
        GIT_HTTP_EXPORT_ALL: "1",
        REQUEST_METHOD: request.method ?? "GET",
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REMOTE_ADDR: "127.0.0.1",
      },
    });
    cgi.stdin.end();
    const chunks: Buffer[] = [];
    cgi.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    await once(cgi, "close");
    const output = Buffer.concat(chunks);
    const end = output.indexOf("\r\n\r\n");
    const headers: Record<string, string> = {};
    let status = 200;
    for (const line of output.subarray(0, end).toString("latin1").split("\r\n")) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "status") status = Number.parseInt(value, 10);
      else headers[name] = value;
    }
    response.writeHead(status, headers).end(output.subarray(end + 4));
    return true;
  };
}
