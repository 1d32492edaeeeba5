import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * D1 schema. D1 is the queryable record; each user's Durable Object is the authority for
 * money and keys and feeds D1 through its outbox. Money columns are integer nUSD
 * (see src/lib/money.ts); prices are integer µUSD per 1M tokens. Times are Unix ms.
 * Nothing here ever holds prompt or completion text.
 */
export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  /** Lower-cased. A deleted account's email is replaced by `deleted-<id>@invalid`. */
  email: text("email").notNull(),
  name: text("name"),
  status: text("status", { enum: ["active", "suspended", "deleted"] }).notNull().default("active"),
  createdAt: integer("created_at").notNull(),
  company: text("company"),
  role: text("role", { enum: ["user", "admin"] }).notNull().default("user"),
  /** Versioned hash (src/auth/password.ts), or null for accounts that only sign in with OAuth. */
  passwordHash: text("password_hash"),
  emailVerifiedAt: integer("email_verified_at"),
  /** The Terms version accepted at sign-up, when, and when the user confirmed being 18 or older. */
  termsVersion: text("terms_version"),
  termsAcceptedAt: integer("terms_accepted_at"),
  ageConfirmedAt: integer("age_confirmed_at"),
  /** Bumped by "log out everywhere" and password changes: every older session token is refused. */
  sessionVersion: integer("session_version").notNull().default(0),
  locale: text("locale"),
  deletedAt: integer("deleted_at"),
  stripeCustomerId: text("stripe_customer_id"),
  /** Low-balance email threshold in nUSD; null = no email. */
  lowBalanceThresholdNano: integer("low_balance_threshold_nano"),
}, (t) => [uniqueIndex("users_email").on(t.email), index("users_status_created").on(t.status, t.createdAt)]);

/** Single-use tokens (email verification, password reset, email change): only the SHA-256 is kept. */
export const authTokens = sqliteTable("auth_tokens", {
  tokenHash: text("token_hash").primaryKey(),
  userId: text("user_id").notNull(),
  purpose: text("purpose", { enum: ["verify_email", "reset_password", "change_email"] }).notNull(),
  /** For change_email: the new address, confirmed by this token. */
  email: text("email"),
  expiresAt: integer("expires_at").notNull(),
  usedAt: integer("used_at"),
  createdAt: integer("created_at").notNull(),
}, (t) => [index("auth_tokens_user").on(t.userId, t.purpose)]);

/** A Google or GitHub identity linked to a user. */
export const oauthAccounts = sqliteTable("oauth_accounts", {
  provider: text("provider", { enum: ["google", "github"] }).notNull(),
  subject: text("subject").notNull(),
  userId: text("user_id").notNull(),
  createdAt: integer("created_at").notNull(),
}, (t) => [primaryKey({ columns: [t.provider, t.subject] }), index("oauth_accounts_user").on(t.userId)]);

/** Security log: sign-in attempts, password resets, key creation and revocation, and similar. */
export const securityEvents = sqliteTable("security_events", {
  id: text("id").primaryKey(),
  /** Null when a sign-in names no known account. */
  userId: text("user_id"),
  /** sign_in | oauth_sign_in | password_reset_requested | password_reset | email_verified | key_created | key_revoked | logout_all | account_deleted | ... */
  kind: text("kind").notNull(),
  /** success | failure | throttled */
  outcome: text("outcome").notNull(),
  ip: text("ip"),
  userAgent: text("user_agent"),
  detail: text("detail"),
  createdAt: integer("created_at").notNull(),
}, (t) => [index("security_events_user_time").on(t.userId, t.createdAt), index("security_events_time").on(t.createdAt)]);

/** Every operator read or change of another user's data. */
export const auditLog = sqliteTable("audit_log", {
  id: text("id").primaryKey(),
  /** The admin's user id, or "operator-token" for the ADMIN_TOKEN bearer. */
  actor: text("actor").notNull(),
  action: text("action").notNull(),
  targetUserId: text("target_user_id"),
  detail: text("detail"),
  createdAt: integer("created_at").notNull(),
}, (t) => [index("audit_log_time").on(t.createdAt), index("audit_log_target").on(t.targetUserId, t.createdAt)]);

/** Transactional mail waits here until the sender accepted it; failed sends are retried. */
export const emailOutbox = sqliteTable("email_outbox", {
  id: text("id").primaryKey(),
  userId: text("user_id"),
  toAddress: text("to_address").notNull(),
  /** verify_email | reset_password | change_email | low_balance | account_deleted | policy_change | ... */
  template: text("template").notNull(),
  /** JSON of the template's variables (never prompt or completion text). */
  data: text("data").notNull(),
  attempts: integer("attempts").notNull().default(0),
  nextAttemptAt: integer("next_attempt_at").notNull(),
  sentAt: integer("sent_at"),
  lastError: text("last_error"),
  createdAt: integer("created_at").notNull(),
}, (t) => [index("email_outbox_due").on(t.sentAt, t.nextAttemptAt)]);

/** Fixed-window counters for brute-force limits (sign-in, reset, verification), per IP and per account. */
export const throttles = sqliteTable("throttles", {
  bucket: text("bucket").primaryKey(),
  windowStart: integer("window_start").notNull(),
  count: integer("count").notNull(),
});

/** Refund requests of unused purchased credit (by the user, or queued by account deletion). */
export const refundRequests = sqliteTable("refund_requests", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull(),
  amountNano: integer("amount_nano").notNull(),
  /** requested | approved | rejected | refunded | failed */
  status: text("status").notNull(),
  /** user | account_deletion */
  source: text("source").notNull(),
  reason: text("reason"),
  decidedBy: text("decided_by"),
  decidedAt: integer("decided_at"),
  createdAt: integer("created_at").notNull(),
}, (t) => [index("refund_requests_user").on(t.userId, t.createdAt), index("refund_requests_status").on(t.status, t.createdAt)]);

export const apiKeys = sqliteTable("api_keys", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id),
  name: text("name").notNull(),
  /** Hex SHA-256 of the full key. The key itself is never stored. */
  keyHash: text("key_hash").notNull(),
  prefix: text("prefix").notNull(),
  last4: text("last4").notNull(),
  rpm: integer("rpm"),
  tpm: integer("tpm"),
  maxConcurrency: integer("max_concurrency"),
  spendLimitNano: integer("spend_limit_nano"),
  /** daily | weekly | monthly | total: the window spend_limit_nano applies to (UTC boundaries, ISO weeks). */
  spendLimitPeriod: text("spend_limit_period", { enum: ["daily", "weekly", "monthly", "total"] }).notNull().default("total"),
  /** JSON array of allowed model ids, or null for all. */
  models: text("models"),
  expiresAt: integer("expires_at"),
  createdAt: integer("created_at").notNull(),
  revokedAt: integer("revoked_at"),
  walletId: text("wallet_id"), // an organization's key: its org wallet (user_id = the member); null = the user's own
}, (t) => [uniqueIndex("api_keys_hash").on(t.keyHash), index("api_keys_user").on(t.userId), index("api_keys_wallet").on(t.walletId)]);

export const usageLogs = sqliteTable("usage_logs", {
  /** The gateway's request id: the response `id` and `x-request-id`. */
  requestId: text("request_id").primaryKey(),
  userId: text("user_id").notNull(),
  keyId: text("key_id").notNull(),
  model: text("model").notNull(),
  provider: text("provider").notNull(),
  endpoint: text("endpoint").notNull(),
  stream: integer("stream", { mode: "boolean" }).notNull(),
  promptTokens: integer("prompt_tokens").notNull(),
  completionTokens: integer("completion_tokens").notNull(),
  cachedTokens: integer("cached_tokens").notNull().default(0),
  reasoningTokens: integer("reasoning_tokens").notNull().default(0),
  costNano: integer("cost_nano").notNull(),
  latencyMs: integer("latency_ms").notNull(),
  /** success | upstream_error | client_disconnected | stream_error | expired */
  status: text("status").notNull(),
  httpStatus: integer("http_status").notNull(),
  /** upstream | estimated | clamped: where the token figures came from (see docs/architecture.md). */
  usageSource: text("usage_source").notNull(),
  errorCode: text("error_code"),
  attempts: integer("attempts").notNull().default(1),
  /** For model "auto": which model was chosen and why. */
  routeReason: text("route_reason"),
  priceVersion: text("price_version"), // `<model id>@<models.price_updated_at>` (price_versions)
  createdAt: integer("created_at").notNull(),
  // (user, time, request id): the keyset order of /api/me/usage and the streamed export, read as one index range.
}, (t) => [index("usage_user_time_id").on(t.userId, t.createdAt, t.requestId), index("usage_key_time").on(t.keyId, t.createdAt), index("usage_time").on(t.createdAt)]);

/** The ledger: one row per balance change, copied from the Durable Object's ledger. */
export const transactions = sqliteTable("transactions", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull(),
  /** grant | usage | purchase | refund | dispute | adjustment | waiver */
  kind: text("kind").notNull(),
  amountNano: integer("amount_nano").notNull(),
  balanceAfterNano: integer("balance_after_nano").notNull(),
  /** Stable reference: request id, Stripe object id, or operator idempotency key. */
  ref: text("ref").notNull(),
  note: text("note"),
  createdAt: integer("created_at").notNull(),
  /** `waiver` rows (amount 0): the part of a request's cost that was not charged (docs/billing.md, "Waiver bound"). */
  waivedNano: integer("waived_nano").notNull().default(0),
  // (user, time, id): the keyset order of transaction lists and the streamed export.
}, (t) => [index("transactions_user_time_id").on(t.userId, t.createdAt, t.id), uniqueIndex("transactions_user_kind_ref").on(t.userId, t.kind, t.ref), index("transactions_time").on(t.createdAt)]);

export const models = sqliteTable("models", {
  /** Public model id, as callers send it in `model`. */
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  provider: text("provider").notNull(),
  upstreamModel: text("upstream_model").notNull(),
  kind: text("kind", { enum: ["chat", "embedding"] }).notNull(),
  contextLength: integer("context_length").notNull(),
  maxOutputTokens: integer("max_output_tokens"),
  /** µUSD per 1M tokens. */
  inputPrice: integer("input_price").notNull(),
  outputPrice: integer("output_price").notNull(),
  cachedInputPrice: integer("cached_input_price"),
  cacheWritePrice: integer("cache_write_price"),
  /** Cache writes with a 1-hour TTL (Anthropic: 2× input; cacheWritePrice is the 5-minute one, 1.25×). Null: 2× the input price. */
  cacheWrite1hPrice: integer("cache_write_1h_price"),
  /** JSON array: tools, vision, json, reasoning. */
  capabilities: text("capabilities").notNull().default("[]"),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  priceSource: text("price_source").notNull(),
  priceUpdatedAt: text("price_updated_at").notNull(),
});

export type ModelRow = typeof models.$inferSelect;
export type UsageLogRow = typeof usageLogs.$inferInsert;
export type TransactionRow = typeof transactions.$inferInsert;

/**
 * Provider channels that can serve a model. A model with no channel rows is served by its own
 * (provider, upstream_model). Lower priority is tried first; weight spreads load within a priority.
 */
export const modelChannels = sqliteTable("model_channels", {
  id: text("id").primaryKey(),
  modelId: text("model_id").notNull(),
  provider: text("provider").notNull(),
  upstreamModel: text("upstream_model").notNull(),
  priority: integer("priority").notNull().default(0),
  weight: integer("weight").notNull().default(1),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
}, (t) => [index("model_channels_model").on(t.modelId)]);

/** Other names callers may use for a model, e.g. "claude-sonnet-4-5" → the dated model id. */
export const modelAliases = sqliteTable("model_aliases", {
  alias: text("alias").primaryKey(),
  modelId: text("model_id").notNull(),
});

export type ModelChannelRow = typeof modelChannels.$inferSelect;

export * from "./schema-payments";
export * from "./schema-plans";
export * from "./schema-orgs";
export * from "./schema-usage";
