/**
 * Webhook deliveries: payloads shaped like GitHub's (an `@octokit/webhooks-examples` example with the
 * simulator's data laid over it), signed with the webhook secret (`X-Hub-Signature-256`) and POSTed to
 * the app, one at a time, in order.
 */
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

type Json = Record<string, unknown>;

interface ExampleGroup {
  name: string;
  examples: Json[];
}

let examples: Map<string, Json[]> | undefined;

function loadExamples(): Map<string, Json[]> {
  if (examples) return examples;
  const require = createRequire(import.meta.url);
  const file = require.resolve("@octokit/webhooks-examples/api.github.com/index.json");
  const groups = JSON.parse(readFileSync(file, "utf8")) as ExampleGroup[];
  examples = new Map(groups.map((group) => [group.name, group.examples]));
  return examples;
}

/**
 * A deep copy of GitHub's example payload for `event` (and `action`), preferring one that carries an
 * installation. Throws when the examples have none.
 */
export function examplePayload(event: string, action?: string): Json {
  const list = loadExamples().get(event) ?? [];
  const candidates = list.filter((example) => action === undefined || example.action === action);
  const chosen =
    candidates.find((example) => "installation" in example) ?? candidates[0] ?? list[0];
  if (!chosen) throw new Error(`@octokit/webhooks-examples has no ${event} example`);
  const copy = structuredClone(chosen);
  if (action !== undefined) copy.action = action;
  return copy;
}

/** `sha256=<hex>`: the HMAC GitHub puts in `X-Hub-Signature-256`. */
function signature256(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** One delivery, as recorded. */
export interface Delivery {
  id: string;
  event: string;
  action?: string;
  /** The exact body sent. */
  body: string;
  /** HTTP status of the app's answer; 0 when not sent (dropped, no webhook URL, network error). */
  status: number;
  dropped: boolean;
  /** Set when the app could not be reached. */
  error?: string;
  /** Whether this is a redelivery of an earlier delivery (same id). */
  redelivery: boolean;
}

export interface WebhookSenderOptions {
  secret: string;
  appId: number;
  /** Events to deliver (the app's subscriptions); undefined: all. `installation*` always are. */
  events?: readonly string[];
}

/** Sends deliveries to the app. */
export class WebhookSender {
  url: string | undefined;
  readonly deliveries: Delivery[] = [];
  readonly #drops = new Map<string, number>();
  readonly #pending = new Set<Promise<unknown>>();
  #chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: WebhookSenderOptions) {}

  /** The next `count` deliveries of `event` are lost (recorded as dropped, not sent). */
  drop(event: string, count: number): void {
    this.#drops.set(event, (this.#drops.get(event) ?? 0) + count);
  }

  /**
   * Delivers `payload` as `event` and resolves with the app's HTTP status (0 when not sent).
   * Deliveries are serialized: each waits for the previous one's answer.
   */
  deliver(event: string, payload: Json): Promise<Delivery> {
    const body = JSON.stringify(payload);
    const action = typeof payload.action === "string" ? payload.action : undefined;
    const delivery: Delivery = {
      id: randomUUID(),
      event,
      ...(action === undefined ? {} : { action }),
      body,
      status: 0,
      dropped: false,
      redelivery: false,
    };
    const subscribed =
      this.options.events === undefined ||
      event.startsWith("installation") ||
      this.options.events.includes(event);
    const drops = this.#drops.get(event) ?? 0;
    if (drops > 0) {
      this.#drops.set(event, drops - 1);
      delivery.dropped = true;
    }
    this.deliveries.push(delivery);
    if (delivery.dropped || !subscribed) return Promise.resolve(delivery);
    return this.#enqueue(delivery);
  }

  /** Sends the last delivery again (same id and body), as GitHub's "Redeliver" does. */
  redeliverLast(): Promise<Delivery> {
    const last = [...this.deliveries].reverse().find((d) => !d.dropped);
    if (!last) throw new Error("nothing was delivered yet");
    const again: Delivery = { ...last, status: 0, redelivery: true };
    delete again.error;
    this.deliveries.push(again);
    return this.#enqueue(again);
  }

  /** Resolves when every delivery started so far has been answered. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #enqueue(delivery: Delivery): Promise<Delivery> {
    const run = this.#chain.then(() => this.#send(delivery));
    this.#chain = run.catch(() => undefined);
    const tracked = run.finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
    return run;
  }

  async #send(delivery: Delivery): Promise<Delivery> {
    if (this.url === undefined) return delivery;
    try {
      const response = await fetch(this.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "GitHub-Hookshot/simulator",
          "x-github-event": delivery.event,
          "x-github-delivery": delivery.id,
          "x-github-hook-id": "1",
          "x-github-hook-installation-target-id": String(this.options.appId),
          "x-github-hook-installation-target-type": "integration",
          "x-hub-signature": `sha1=${createHmac("sha1", this.options.secret).update(delivery.body).digest("hex")}`,
          "x-hub-signature-256": signature256(this.options.secret, delivery.body),
        },
        body: delivery.body,
      });
      await response.arrayBuffer();
      delivery.status = response.status;
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    }
    return delivery;
  }
}
