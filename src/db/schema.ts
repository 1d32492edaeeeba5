import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * D1 schema. D1 is the queryable record; each user's Durable Object is the authority for
 * money and keys and feeds D1 through its outbox. Money columns are integer nUSD
 * (see src/billing/money.ts); prices are integer µUSD per 1M tokens. Times are Unix ms.
 * Nothing here ever holds prompt or completion text.
 */

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull(),
  name: text("name"),
  status: text("status", { enum: ["active", "suspended", "deleted"] }).notNull().default("active"),
  createdAt: integer("created_at").notNull(),
}, (t) => [uniqueIndex("users_email").on(t.email)]);

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
  /** JSON array of allowed model ids, or null for all. */
  models: text("models"),
  expiresAt: integer("expires_at"),
  createdAt: integer("created_at").notNull(),
  revokedAt: integer("revoked_at"),
}, (t) => [uniqueIndex("api_keys_hash").on(t.keyHash), index("api_keys_user").on(t.userId)]);

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
  createdAt: integer("created_at").notNull(),
}, (t) => [index("usage_user_time").on(t.userId, t.createdAt), index("usage_key_time").on(t.keyId, t.createdAt)]);

/** The ledger: one row per balance change, copied from the Durable Object's ledger. */
export const transactions = sqliteTable("transactions", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull(),
  /** grant | usage | purchase | refund | dispute | adjustment */
  kind: text("kind").notNull(),
  amountNano: integer("amount_nano").notNull(),
  balanceAfterNano: integer("balance_after_nano").notNull(),
  /** Stable reference: request id, Stripe object id, or operator idempotency key. */
  ref: text("ref").notNull(),
  note: text("note"),
  createdAt: integer("created_at").notNull(),
}, (t) => [index("transactions_user_time").on(t.userId, t.createdAt), uniqueIndex("transactions_user_kind_ref").on(t.userId, t.kind, t.ref)]);

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
