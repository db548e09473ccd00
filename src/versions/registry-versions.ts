/**
 * Module versions from any registry that speaks Terraform's module registry protocol
 * (registry.terraform.io, registry.opentofu.org, HCP Terraform / Terraform Enterprise, mirrors):
 * service discovery at `<base>/.well-known/terraform.json` gives `modules.v1`, then
 * `GET <modules.v1><namespace>/<name>/<provider>/versions`, with the registry's token (a bearer
 * token, as Terraform sends it) when the operator gave one. Requests go only to the registry's own
 * origin (discovery pointing elsewhere is refused, redirects elsewhere are not followed), so the
 * token goes nowhere else, with a deadline and a cap on the answer's size (see `outboundFetch`).
 */
import { z } from "zod";
import { countCacheLookup } from "../metrics.js";
import type { EtagCache } from "../github/tags.js";
import { HostAnswerError, OutboundRefusal, outboundFetch } from "./outbound-fetch.js";

/** A registry module address. */
export interface RegistryModule {
  namespace: string;
  name: string;
  provider: string;
}

/** Something went wrong talking to a registry: `status` is the HTTP status, absent for network errors. */
export class RegistryError extends HostAnswerError {
  override name = "RegistryError";
}

/** The registry answered 404 for the module's versions: no such module (or not visible). */
export class RegistryModuleNotFoundError extends RegistryError {
  override name = "RegistryModuleNotFoundError";
}

/** What one listing cost. */
export interface RegistryStats {
  /** HTTP requests sent (discovery is sent once per registry per process). */
  requests: number;
  /** Of these, how many were answered `304` and served from the ETag cache. */
  notModified?: number;
}

/** A registry's answer: its JSON and ETag, or `304` to a conditional request. */
type JsonAnswer =
  { notModified: false; body: unknown; etag: string | undefined } | { notModified: true };

const discoverySchema = z.object({ "modules.v1": z.string().min(1) });
const versionsSchema = z.object({
  modules: z.array(z.object({ versions: z.array(z.object({ version: z.string() })) })),
});

/** Discovered `modules.v1` URLs, per registry base URL, for the life of the process. */
const discoveries = new Map<string, Promise<string>>();

/** Forgets the discovered registries (tests). */
export function clearRegistryDiscoveryCache(): void {
  discoveries.clear();
}

async function getJson(
  url: string,
  fetchImpl: typeof fetch,
  stats: RegistryStats,
  token: string | undefined,
  ifNoneMatch?: string,
): Promise<JsonAnswer> {
  stats.requests++;
  const headers: Record<string, string> = { accept: "application/json" };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (ifNoneMatch !== undefined) headers["if-none-match"] = ifNoneMatch;
  let response: Response;
  try {
    response = await outboundFetch(fetchImpl)(url, { headers });
  } catch (error) {
    if (error instanceof OutboundRefusal) {
      throw new RegistryError(error.message, url, error.httpStatus, { cause: error });
    }
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new RegistryError(message, url, undefined, { cause: error });
  }
  if (response.status === 304 && ifNoneMatch !== undefined) return { notModified: true };
  if (!response.ok) {
    // Drain the body so that the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    const ErrorClass = response.status === 404 ? RegistryModuleNotFoundError : RegistryError;
    throw new ErrorClass(`GET ${url}: HTTP ${response.status}`, url, response.status);
  }
  const etag = response.headers.get("etag") ?? undefined;
  try {
    return {
      notModified: false,
      body: await response.json(),
      etag: etag === "" ? undefined : etag,
    };
  } catch (error) {
    throw new RegistryError(`GET ${url}: the answer is not JSON`, url, response.status, {
      cause: error,
    });
  }
}

/** The `modules.v1` URL a registry's service discovery gives; an unusable answer is an error with its HTTP 200. */
async function discover(
  baseUrl: string,
  fetchImpl: typeof fetch,
  stats: RegistryStats,
  token: string | undefined,
): Promise<string> {
  const url = `${baseUrl}/.well-known/terraform.json`;
  let body: unknown;
  try {
    const answer = await getJson(url, fetchImpl, stats, token);
    body = answer.notModified ? undefined : answer.body;
  } catch (error) {
    // A 404 here means "not a registry", not "no such module".
    if (error instanceof RegistryModuleNotFoundError) {
      throw new RegistryError(
        `${baseUrl} does not offer service discovery (${url}: HTTP 404); is it a module registry?`,
        url,
        404,
      );
    }
    throw error;
  }
  const parsed = discoverySchema.safeParse(body);
  if (!parsed.success) {
    throw new RegistryError(
      `${baseUrl} does not offer the module registry protocol (no "modules.v1" in ${url})`,
      url,
      200,
    );
  }
  // A relative path resolves against the discovery document's URL, an absolute URL is used as is.
  let modules: URL;
  try {
    modules = new URL(parsed.data["modules.v1"], url);
  } catch {
    throw new RegistryError(
      `${baseUrl}: its service discovery's "modules.v1" is not a URL`,
      url,
      200,
    );
  }
  // The registry's answer must not send the app (and its token) anywhere the operator did not allow.
  if (modules.origin !== new URL(url).origin) {
    throw new RegistryError(
      `${baseUrl}: its service discovery points "modules.v1" to another host (${modules.origin}); refused`,
      url,
      200,
    );
  }
  return modules.href.endsWith("/") ? modules.href : `${modules.href}/`;
}

/** The `modules.v1` URL of a registry (with trailing `/`), discovered once per base URL per process. */
function modulesUrl(
  baseUrl: string,
  fetchImpl: typeof fetch,
  stats: RegistryStats,
  token: string | undefined,
): Promise<string> {
  let promise = discoveries.get(baseUrl);
  if (promise === undefined) {
    promise = discover(baseUrl, fetchImpl, stats, token);
    discoveries.set(baseUrl, promise);
    // A failed discovery is tried again next time.
    promise.catch(() => discoveries.delete(baseUrl));
  }
  return promise;
}

/**
 * All versions of a registry module, as the registry writes them (`1.2.3`), in the registry's order.
 * `baseUrl` is the registry's base URL without trailing `/` (see `registryBaseUrl`). Costs one
 * request, plus one for discovery the first time a registry is used in the process. `token`, when
 * given, goes with both as `Authorization: Bearer`. With `etags`, the versions request carries the
 * ETag of the last answer and a `304` reuses its versions. Throws {@link RegistryModuleNotFoundError}
 * for an unknown module, {@link RegistryError} otherwise.
 */
export async function listRegistryVersions(
  baseUrl: string,
  module: RegistryModule,
  fetchImpl: typeof fetch = fetch,
  stats: RegistryStats = { requests: 0 },
  token?: string,
  etags?: EtagCache,
): Promise<string[]> {
  const base = baseUrl.replace(/\/+$/, "");
  const modules = await modulesUrl(base, fetchImpl, stats, token);
  const path = [module.namespace, module.name, module.provider].map(encodeURIComponent).join("/");
  const url = new URL(`${path}/versions`, modules).href;
  // A token may see modules, and versions, that an anonymous request does not: never the token itself.
  const key = `registry ${base} ${url}${token === undefined ? "" : " token"}`;
  const cached = await etags?.get(key);
  const answer = await getJson(url, fetchImpl, stats, token, cached?.etag);
  if (answer.notModified) {
    stats.notModified = (stats.notModified ?? 0) + 1;
    countCacheLookup("registry", true);
    // getJson answers notModified only to an If-None-Match, which only a cached answer sends.
    return cached?.data ?? [];
  }
  const parsed = versionsSchema.safeParse(answer.body);
  if (!parsed.success)
    throw new RegistryError(`GET ${url}: unexpected answer (no modules[].versions[])`, url);
  const versions = parsed.data.modules.flatMap((entry) => entry.versions.map((v) => v.version));
  if (etags) {
    countCacheLookup("registry", false);
    if (answer.etag !== undefined)
      await etags.set(key, { etag: answer.etag, data: versions, next: false });
  }
  return versions;
}
