import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** D1 tables of the usage data plane (migrations/0022_usage_plane.sql, docs/capacity.md). */

/** Hourly usage per user × key × model, written in batches by the usage consumer (src/usage/plane). */
export const usageRollups = sqliteTable("usage_rollups", {
  userId: text("user_id").notNull(),
  /** Start of the UTC hour, epoch ms (of the request's created_at). */
  hour: integer("hour").notNull(),
  keyId: text("key_id").notNull(),
  model: text("model").notNull(),
  requests: integer("requests").notNull().default(0),
  promptTokens: integer("prompt_tokens").notNull().default(0),
  completionTokens: integer("completion_tokens").notNull().default(0),
  cachedTokens: integer("cached_tokens").notNull().default(0),
  reasoningTokens: integer("reasoning_tokens").notNull().default(0),
  costNano: integer("cost_nano").notNull().default(0),
  /** For measured performance: requests other than embeddings and client disconnects; provider failures among them (upstream_error, stream_error). */
  measuredRequests: integer("measured_requests").notNull().default(0),
  failures: integer("failures").notNull().default(0),
  /** Successful requests other than embeddings, their completion tokens and summed latency (ms). */
  okRequests: integer("ok_requests").notNull().default(0),
  okCompletionTokens: integer("ok_completion_tokens").notNull().default(0),
  okLatencyMs: integer("ok_latency_ms").notNull().default(0),
}, (t) => [primaryKey({ columns: [t.userId, t.hour, t.keyId, t.model] }), index("usage_rollups_hour").on(t.hour)]);

/** Daily charge statements per key and model (UTC day of the ledger entry): the 5-year record of usage charges. */
export const usageStatements = sqliteTable("usage_statements", {
  userId: text("user_id").notNull(),
  day: text("day").notNull(),
  keyId: text("key_id").notNull(),
  model: text("model").notNull(),
  charges: integer("charges").notNull().default(0),
  chargedNano: integer("charged_nano").notNull().default(0),
}, (t) => [primaryKey({ columns: [t.userId, t.day, t.keyId, t.model] }), index("usage_statements_day").on(t.day)]);

/** The archive's per-user pseudonym and key salt; deleted with the account, which anonymizes the archive (P27). */
export const usagePseudonyms = sqliteTable("usage_pseudonyms", {
  userId: text("user_id").primaryKey(),
  pseudonym: text("pseudonym").notNull(),
  salt: text("salt").notNull(),
  createdAt: integer("created_at").notNull(),
}, (t) => [uniqueIndex("usage_pseudonyms_pseudonym").on(t.pseudonym)]);

/** Per wallet: the last usage batch applied and the running totals it carried. */
export const usageCursors = sqliteTable("usage_cursors", {
  userId: text("user_id").primaryKey(),
  lastBatch: integer("last_batch").notNull(),
  records: integer("records").notNull().default(0),
  chargedNano: integer("charged_nano").notNull().default(0),
  updatedAt: integer("updated_at").notNull(),
});
