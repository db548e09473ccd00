/** The process's logger: Probot's format and levels, with every credential the app handles redacted. */
import { getTransformStream } from "@probot/pino";
import { pino, type Logger } from "pino";

/** Where credentials can sit in what the app and its libraries log (tokens, keys, auth headers). */
const REDACTED_PATHS = [
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "*.*.headers.authorization",
  "request.headers.authorization",
  "err.request.headers.authorization",
  "err.response.headers.authorization",
  "privateKey",
  "*.privateKey",
  "PRIVATE_KEY",
  "*.PRIVATE_KEY",
  "secret",
  "*.secret",
  "webhookSecret",
  "*.webhookSecret",
  "password",
  "*.password",
];

/** `LOG_FORMAT` as Probot reads it: `pretty` or `json`, and json in production when unset. */
function logFormat(env: NodeJS.ProcessEnv): "json" | "pretty" {
  if (env.LOG_FORMAT) return env.LOG_FORMAT === "pretty" ? "pretty" : "json";
  return env.NODE_ENV === "production" ? "json" : "pretty";
}

/**
 * A pino logger as Probot builds it from `LOG_LEVEL`, `LOG_FORMAT`, `LOG_LEVEL_IN_STRING`,
 * `LOG_MESSAGE_KEY` and `SENTRY_DSN`, plus redaction of {@link REDACTED_PATHS}.
 */
export async function createLogger(
  env: NodeJS.ProcessEnv = process.env,
  destination: NodeJS.WritableStream = process.stdout,
): Promise<Logger> {
  const transform = await getTransformStream({
    logFormat: logFormat(env),
    logLevelInString: env.LOG_LEVEL_IN_STRING === "true",
    ...(env.SENTRY_DSN ? { sentryDsn: env.SENTRY_DSN } : {}),
  });
  transform.pipe(destination);
  return pino(
    {
      level: env.LOG_LEVEL || "info",
      name: "probot",
      messageKey: env.LOG_MESSAGE_KEY || "msg",
      redact: { paths: REDACTED_PATHS, censor: "[REDACTED]" },
    },
    transform,
  );
}
