import type { AccountDO } from "./account/account-do";
import type { ChannelHealthDO } from "./health/health-do";
import type { UsageBatchMessage } from "./db/usage-batch";

/**
 * The one typed environment of the worker and its Durable Objects.
 * Bindings and vars are declared in wrangler.toml; secrets are set with `wrangler secret put`.
 * Vars are read only through src/lib/settings.ts, which holds each one's default (README, "Settings").
 * Provider settings follow one pattern: `<PROVIDER>_API_KEY` and `<PROVIDER>_BASE_URL`
 * (e.g. OPENAI_API_KEY, DEEPSEEK_BASE_URL); see src/providers/registry.ts.
 */
export interface Env {
  DB: D1Database;
  ACCOUNT: DurableObjectNamespace<AccountDO>;
  /** One per provider channel: shared health and circuit-breaker state. */
  HEALTH: DurableObjectNamespace<ChannelHealthDO>;
  ASSETS?: Fetcher;
  /** The usage archive: NDJSON per consumer batch and day, usage/dt=YYYY-MM-DD/<batch>.ndjson (src/usage/plane). */
  USAGE_ARCHIVE: R2Bucket;
  /** Usage records in per-wallet batches, from the Durable Object to the consumer in this worker. Unbound: records wait in the Durable Object. */
  USAGE_QUEUE?: Queue<UsageBatchMessage>;

  /** Secret: bearer token of the operator API (/api/admin/*). Unset = operator API disabled. */
  ADMIN_TOKEN?: string;
  /** "on" enables the keyless demo provider (local development only). */
  DEMO_PROVIDER?: string;

  /** Maximum request body in bytes. */
  MAX_BODY_BYTES?: string;
  /** Milliseconds to wait for the upstream's first byte. */
  UPSTREAM_TIMEOUT_MS?: string;
  /** Milliseconds for all upstream attempts of one request, fallbacks included. */
  REQUEST_DEADLINE_MS?: string;
  /** Seconds after which an unsettled reservation is released. */
  RESERVATION_TTL_SECONDS?: string;
  /** How far a running stream may take a balance below zero, in USD. */
  OVERDRAFT_LIMIT_USD?: string;
  /** Output-token allowance reserved when a request sets no max_tokens. */
  DEFAULT_OUTPUT_ALLOWANCE?: string;
  /** Per-key limits applied when a key sets none. */
  DEFAULT_KEY_RPM?: string;
  DEFAULT_KEY_TPM?: string;

  /** Secret: HMAC key (32+ characters) that tags API keys so forged ones fail before any lookup. Unset = derived from SESSION_SECRET. */
  KEY_TAG_SECRET?: string;
  /** Secret (32+ characters): encrypts the provider keys users and organizations store (BYOK). Unset = BYOK off. */
  BYOK_SECRET?: string;
  /** Fee for a request served with the caller's own provider key, in basis points of its catalog price. */
  BYOK_FEE_BPS?: string;
  /** "on" accepts API keys issued before key tags existed (a migration window; docs/accounts.md). */
  LEGACY_UNTAGGED_KEYS?: string;
  /** "on" marks local development: without APP_ORIGIN, mail links use the request's origin (also implied by DEMO_PROVIDER=on). */
  LOCAL_DEV?: string;

  /** Secret: HMAC key (at least 32 bytes) that signs session tokens. Unset = sign-in disabled. */
  SESSION_SECRET?: string;
  /** Hours a session lasts. */
  SESSION_TTL_HOURS?: string;
  /** The dashboard's public origin, e.g. "https://gateway.example.com". Used in emails and OAuth redirect URIs. */
  APP_ORIGIN?: string;
  /** "on" drops the __Host- prefix and Secure flag from cookies, for plain http on a host other than localhost (never in production). */
  INSECURE_DEV_COOKIES?: string;
  /** The Terms version a new user accepts. */
  TERMS_VERSION?: string;
  /** Brute-force limits: failed sign-ins per account and per IP per 15 minutes. */
  SIGNIN_MAX_FAILURES_PER_ACCOUNT?: string;
  SIGNIN_MAX_FAILURES_PER_IP?: string;

  /** OAuth: client credentials and (for tests and local stand-ins) endpoint overrides. Unset client id = provider off. */
  OAUTH_GOOGLE_CLIENT_ID?: string;
  OAUTH_GOOGLE_CLIENT_SECRET?: string;
  OAUTH_GOOGLE_AUTH_URL?: string;
  OAUTH_GOOGLE_TOKEN_URL?: string;
  OAUTH_GOOGLE_JWKS_URL?: string;
  OAUTH_GOOGLE_ISSUER?: string;
  OAUTH_GITHUB_CLIENT_ID?: string;
  OAUTH_GITHUB_CLIENT_SECRET?: string;
  OAUTH_GITHUB_AUTH_URL?: string;
  OAUTH_GITHUB_TOKEN_URL?: string;
  OAUTH_GITHUB_API_URL?: string;

  /** Email: an HTTP email API (Resend-compatible JSON POST). Unset EMAIL_API_URL = mail is printed to the log (local dev). */
  EMAIL_API_URL?: string;
  /** Secret: bearer token for EMAIL_API_URL. */
  EMAIL_API_TOKEN?: string;
  EMAIL_FROM?: string;
  /** Where the rights desk sends its reminders and overdue escalations (the privacy contact). Unset: audit log only. */
  RIGHTS_DESK_EMAIL?: string;

  /** Retention in days. */
  RETENTION_USAGE_DAYS?: string;
  RETENTION_SECURITY_DAYS?: string;
  RETENTION_TRANSACTIONS_DAYS?: string;
  RETENTION_UNVERIFIED_DAYS?: string;
  RETENTION_DELETED_DAYS?: string;
  /** Days a wallet's Durable Object keeps its raw usage records for the request log and /generation. */
  USAGE_RECENT_DAYS?: string;
  /** "on": usage records and usage charges are also copied one row each to D1 usage_logs and transactions. */
  USAGE_D1_MIRROR?: string;
  /** Which usage-log promise the policy makes: "12-months" or "90-days" (floor 90). Periods below a promised floor are refused (src/retention/floors.ts). */
  RETENTION_USAGE_POLICY?: string;

  /** Stripe: secret key, webhook signing secret and (for tests and local stand-ins) the API host. Unset key = top-up not configured. */
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  STRIPE_API_BASE?: string;
  /** Free credit granted once after email verification, USD. */
  SIGNUP_CREDIT_USD?: string;
  /** Top-up bounds and presets, USD. */
  TOPUP_MIN_USD?: string;
  TOPUP_MAX_USD?: string;
  TOPUP_PRESETS_USD?: string;
  /** Days after a purchase in which its unused part may be refunded. */
  REFUND_WINDOW_DAYS?: string;

  /** Provider credentials and endpoints: <NAME>_API_KEY, <NAME>_BASE_URL. */
  [providerSetting: `${Uppercase<string>}_API_KEY` | `${Uppercase<string>}_BASE_URL`]: string | undefined;
}

/**
 * The Hono environment of a router whose middleware sets no variables. Routers behind an
 * authenticating middleware use the environment exported next to it (SessionEnv, ApiKeyEnv,
 * VerifiedKeyEnv, AdminEnv in src/middleware); Hono's global ContextVariableMap is never augmented,
 * so a handler can read only the variables its own router's middleware set.
 */
export type BaseEnv = { Bindings: Env; Variables: object };

type GatewayEnv = Env;

declare global {
  namespace Cloudflare {
    /** Lets `env` from cloudflare:workers and cloudflare:test carry the same type. */
    interface Env extends GatewayEnv {}
  }
}
