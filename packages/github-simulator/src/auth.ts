/**
 * Who sends a request: the app (a JWT signed with its private key, RS256), an installation (a token
 * from `POST /app/installations/{id}/access_tokens`) or nobody.
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto";

export type Identity =
  | { kind: "anonymous" }
  | { kind: "app" }
  | { kind: "installation"; installationId: number; token: string };

/** Why a credential was refused (the 401's message). */
export class AuthError extends Error {}

export interface InstallationToken {
  token: string;
  installationId: number;
  expiresAt: Date;
}

function base64UrlJson(part: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new AuthError("A JSON web token could not be decoded");
  return value as Record<string, unknown>;
}

/**
 * Checks an app JWT as GitHub does: RS256 signature by the app's key, `iss` the app id (or client id),
 * `iat` not in the future (60 s of clock drift allowed), `exp` in the future and at most 10 minutes
 * after `iat`. Throws an {@link AuthError} saying what is wrong.
 */
function verifyAppJwt(
  jwt: string,
  publicKey: KeyObject,
  appId: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): void {
  const parts = jwt.split(".");
  if (parts.length !== 3) throw new AuthError("A JSON web token could not be decoded");
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = base64UrlJson(headerPart);
    payload = base64UrlJson(payloadPart);
  } catch {
    throw new AuthError("A JSON web token could not be decoded");
  }
  if (header.alg !== "RS256")
    throw new AuthError(`'alg' must be RS256 (got ${String(header.alg)})`);
  const valid = verify(
    "RSA-SHA256",
    Buffer.from(`${headerPart}.${payloadPart}`),
    publicKey,
    Buffer.from(signaturePart, "base64url"),
  );
  if (!valid) throw new AuthError("A JSON web token could not be decoded (bad signature)");
  if (String(payload.iss) !== String(appId))
    throw new AuthError(
      `'Issuer' claim ('iss') must be the app id ${appId} (got ${String(payload.iss)})`,
    );
  const iat = Number(payload.iat);
  const exp = Number(payload.exp);
  if (!Number.isFinite(iat) || iat > nowSeconds + 60)
    throw new AuthError(
      "'Issued at' claim ('iat') must be an Integer representing a time in the past",
    );
  if (!Number.isFinite(exp) || exp <= nowSeconds)
    throw new AuthError("'Expiration time' claim ('exp') is too far in the past");
  if (exp - iat > 600 + 60)
    throw new AuthError("'Expiration time' claim ('exp') is too far in the future");
}

/** The app's public key, from its private key (PEM). */
export function publicKeyOf(privateKeyPem: string): KeyObject {
  return createPublicKey(privateKeyPem);
}

/** Installation tokens handed out, by value. */
export class TokenStore {
  readonly #tokens = new Map<string, InstallationToken>();

  issue(installationId: number, lifetimeMs = 60 * 60 * 1000): InstallationToken {
    const token: InstallationToken = {
      token: `ghs_${randomBytes(18).toString("base64url").replace(/[-_]/g, "x")}`,
      installationId,
      expiresAt: new Date(Date.now() + lifetimeMs),
    };
    this.#tokens.set(token.token, token);
    return token;
  }

  /** The live token with this value. */
  find(value: string): InstallationToken | undefined {
    const token = this.#tokens.get(value);
    if (!token || token.expiresAt.getTime() <= Date.now()) return undefined;
    return token;
  }

  /** Makes every token of an installation (or all) expire now. */
  revoke(installationId?: number): void {
    for (const [value, token] of this.#tokens)
      if (installationId === undefined || token.installationId === installationId)
        this.#tokens.delete(value);
  }

  get size(): number {
    return this.#tokens.size;
  }
}

/**
 * Reads the `Authorization` header: `Bearer <jwt>` is the app, `token <t>` / `Bearer <t>` an
 * installation, none is anonymous. Throws an {@link AuthError} for a credential GitHub would refuse.
 */
export function authenticate(
  header: string | undefined,
  options: { publicKey: KeyObject; appId: number; tokens: TokenStore },
): Identity {
  if (header === undefined || header.trim() === "") return { kind: "anonymous" };
  const match = /^(token|bearer)\s+(\S+)$/i.exec(header.trim());
  if (!match) throw new AuthError("Bad credentials");
  const value = match[2] as string;
  if (value.split(".").length === 3 && match[1]?.toLowerCase() === "bearer") {
    verifyAppJwt(value, options.publicKey, options.appId);
    return { kind: "app" };
  }
  const token = options.tokens.find(value);
  if (!token) throw new AuthError("Bad credentials");
  return { kind: "installation", installationId: token.installationId, token: value };
}
