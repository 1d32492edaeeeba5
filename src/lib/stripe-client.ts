import Stripe from "stripe";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { settings } from "./settings";

/**
 * The Stripe SDK on Workers: the fetch HTTP client and Web Crypto (never Node's http/crypto).
 * STRIPE_API_BASE (tests and the local stand-in, test/standin/stripe.ts) sets protocol, host and
 * port, and a path prefix if it has one. Without STRIPE_SECRET_KEY top-ups are "not configured".
 */
const clients = new Map<string, Stripe>();

function prefixedFetch(prefix: string): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    url.pathname = `${prefix}${url.pathname}`;
    return fetch(url.toString(), init);
  };
}

export function stripeClient(env: Env): Stripe | null {
  const key = env.STRIPE_SECRET_KEY;
  if (!key) return null;
  const apiBase = settings(env).STRIPE_API_BASE;
  const cacheKey = `${key}\n${apiBase ?? ""}`;
  let client = clients.get(cacheKey);
  if (client) return client;
  let location: { host?: string; port?: string; protocol?: "http" | "https" } = {};
  let prefix = "";
  if (apiBase) {
    const base = new URL(apiBase);
    const protocol = base.protocol === "http:" ? "http" : "https";
    location = { host: base.hostname, port: base.port || (protocol === "http" ? "80" : "443"), protocol };
    prefix = base.pathname.replace(/\/+$/, "");
  }
  client = new Stripe(key, {
    httpClient: Stripe.createFetchHttpClient(prefix ? prefixedFetch(prefix) : undefined),
    // Every call carries our own idempotency key, so the SDK's retries cannot act twice.
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    ...location,
  });
  clients.set(cacheKey, client);
  return client;
}

export function requireStripe(env: Env): Stripe {
  const client = stripeClient(env);
  if (!client) throw new ApiError(503, "topup_not_configured", "Top-ups are not configured on this deployment (STRIPE_SECRET_KEY is not set).");
  return client;
}

/** Web Crypto for webhook signatures (constructEventAsync). */
export const stripeCrypto = Stripe.createSubtleCryptoProvider();
export const stripeWebhooks = Stripe.webhooks;
