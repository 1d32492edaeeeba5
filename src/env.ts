import type { AccountDO } from "./account/account-do";
import type { ChannelHealthDO } from "./health/health-do";

/**
 * The one typed environment of the worker and its Durable Objects.
 * Bindings and vars are declared in wrangler.toml; secrets are set with `wrangler secret put`.
 * Provider settings follow one pattern: `<PROVIDER>_API_KEY` and `<PROVIDER>_BASE_URL`
 * (e.g. OPENAI_API_KEY, DEEPSEEK_BASE_URL); see src/providers/registry.ts.
 */
export interface Env {
  DB: D1Database;
  ACCOUNT: DurableObjectNamespace<AccountDO>;
  /** One per provider channel: shared health and circuit-breaker state. */
  HEALTH: DurableObjectNamespace<ChannelHealthDO>;
  ASSETS?: Fetcher;

  /** Secret: bearer token of the operator API (/api/admin/*). Unset = operator API disabled. */
  ADMIN_TOKEN?: string;
  /** "on" enables the keyless demo provider (local development only). */
  DEMO_PROVIDER?: string;

  /** Maximum request body in bytes (default 5 MiB). */
  MAX_BODY_BYTES?: string;
  /** Milliseconds to wait for the upstream's first byte (default 60000). */
  UPSTREAM_TIMEOUT_MS?: string;
  /** Milliseconds for all upstream attempts of one request, fallbacks included (default 120000). */
  REQUEST_DEADLINE_MS?: string;
  /** Seconds after which an unsettled reservation is released (default 900). */
  RESERVATION_TTL_SECONDS?: string;
  /** How far a running stream may take a balance below zero, in USD (default "0.05"). */
  OVERDRAFT_LIMIT_USD?: string;
  /** Output-token allowance reserved when a request sets no max_tokens (default 4096). */
  DEFAULT_OUTPUT_ALLOWANCE?: string;
  /** Per-key limits applied when a key sets none (defaults 600 requests/min, 2,000,000 tokens/min). */
  DEFAULT_KEY_RPM?: string;
  DEFAULT_KEY_TPM?: string;

  /** Provider credentials and endpoints: <NAME>_API_KEY, <NAME>_BASE_URL. */
  [providerSetting: `${Uppercase<string>}_API_KEY` | `${Uppercase<string>}_BASE_URL`]: string | undefined;
}

type GatewayEnv = Env;

declare global {
  namespace Cloudflare {
    /** Lets `env` from cloudflare:workers and cloudflare:test carry the same type. */
    interface Env extends GatewayEnv {}
  }
}
