/**
 * `fetch` for the hosts that version sources name (registries, GitHub APIs other than the app's):
 * each request has a deadline, follows redirects only on its own origin, and reads at most a capped
 * number of bytes, so that no answer can send the app to another host, hang it, or fill its memory.
 */

/** The largest answer read: 5 MiB (a registry's version list or a page of 100 tags is far smaller). */
const MAX_ANSWER_BYTES = 5 * 1024 * 1024;

/** How long a request may take, answer included (ms). */
const REQUEST_TIMEOUT_MS = 30_000;

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/** A request that was stopped: too large an answer, a redirect to another host, no answer in time. */
export class OutboundRefusal extends Error {
  // Octokit passes an error named AbortError on unchanged, so its retry plugin does not repeat the request.
  override name = "AbortError";
  constructor(
    message: string,
    readonly url: string,
    /** The HTTP status of the answer that was refused, absent when none came. */
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/** What a version source could not use of a host's answer: `status` is its HTTP status, absent when none came. */
export class HostAnswerError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Limits of {@link outboundFetch}; defaults {@link MAX_ANSWER_BYTES} and {@link REQUEST_TIMEOUT_MS}. */
export interface OutboundLimits {
  maxBytes?: number;
  timeoutMs?: number;
}

function describeBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB` : `${bytes} bytes`;
}

function urlOf(input: string | URL | Request): string {
  if (typeof input === "string") return input;
  return input instanceof URL ? input.href : input.url;
}

/** The answer with its body read into memory, refused once it passes `maxBytes`. */
async function readCapped(response: Response, url: string, maxBytes: number): Promise<Response> {
  const { status, statusText, headers } = response;
  const tooLarge = () =>
    new OutboundRefusal(
      `${url}: the answer is larger than ${describeBytes(maxBytes)}; refused`,
      url,
      status,
    );
  if (Number(headers.get("content-length")) > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (NULL_BODY_STATUSES.has(status) || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    return new Response(null, { status, statusText, headers });
  }
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new Response(Buffer.concat(chunks, length), { status, statusText, headers });
}

/**
 * A `fetch` over `fetchImpl` for hosts named by repositories: the whole exchange must finish within
 * `timeoutMs`, a redirect is followed only to the same origin (scheme, host and port; at most 5),
 * and the body is read whole, up to `maxBytes`. Each of these failures throws an
 * {@link OutboundRefusal} saying what happened; network errors are thrown as `fetchImpl` throws them.
 */
export function outboundFetch(
  fetchImpl: typeof fetch = fetch,
  limits: OutboundLimits = {},
): typeof fetch {
  const maxBytes = limits.maxBytes ?? MAX_ANSWER_BYTES;
  const timeoutMs = limits.timeoutMs ?? REQUEST_TIMEOUT_MS;
  return async (input, init = {}) => {
    let url = urlOf(input);
    const origin = new URL(url).origin;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    try {
      for (let redirects = 0; ; redirects++) {
        const response = await fetchImpl(url, { ...init, redirect: "manual", signal });
        const location = response.headers.get("location");
        if (!REDIRECT_STATUSES.has(response.status) || location === null) {
          return await readCapped(response, url, maxBytes);
        }
        await response.body?.cancel().catch(() => undefined);
        const next = new URL(location, url);
        if (next.origin !== origin) {
          throw new OutboundRefusal(
            `${url} redirected to another host (${next.origin}); not followed`,
            url,
            response.status,
          );
        }
        if (redirects >= MAX_REDIRECTS) {
          throw new OutboundRefusal(
            `${url}: more than ${MAX_REDIRECTS} redirects; not followed`,
            url,
            response.status,
          );
        }
        url = next.href;
      }
    } catch (error) {
      if (deadline.aborted && !(error instanceof OutboundRefusal)) {
        throw new OutboundRefusal(`${origin} did not answer within ${timeoutMs / 1000} s`, url);
      }
      throw error;
    }
  };
}
