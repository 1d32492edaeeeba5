/**
 * The Durable Object's SQLite schema (one database per user). docs/architecture.md explains it.
 * Every statement here is synchronous, so a whole RPC method runs atomically.
 */
/**
 * The rate window's table: one row per key and second with traffic, not one per request, so
 * reading a key's window touches at most 61 rows whatever its rate (docs/architecture.md,
 * "Admission"). `ts` is the time of the second's last request; a bucket counts while
 * ts > now − 60 s. WITHOUT ROWID: the rows of one key are stored together, in second order.
 */
export const RATE_EVENTS_SCHEMA = `
CREATE TABLE IF NOT EXISTS rate_events (
  key_id TEXT NOT NULL,
  sec INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  requests INTEGER NOT NULL,
  tokens INTEGER NOT NULL,
  PRIMARY KEY (key_id, sec)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rate_events_ts ON rate_events (ts);
`;

/**
 * The user's plan limits, pushed by the subscription webhook (./plan-limits.ts): one row, ordered
 * by the Stripe event time. Created by ACCOUNT_SCHEMA's IF NOT EXISTS in existing objects too.
 */
export const PLAN_LIMITS_SCHEMA = `
CREATE TABLE IF NOT EXISTS plan_limits (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  plan_id TEXT,
  rpm INTEGER,
  tpm INTEGER,
  models TEXT,
  event_at INTEGER NOT NULL
);
`;

/**
 * A key's spend: its day, week and month counters and its lifetime total (period 'total', start 0),
 * stored together (WITHOUT ROWID), so a settlement writes one page for them all.
 */
const KEY_PERIOD_SPEND_SCHEMA = `
CREATE TABLE IF NOT EXISTS key_period_spend (
  key_id TEXT NOT NULL,
  period TEXT NOT NULL,
  period_start INTEGER NOT NULL,
  spent_nano INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (key_id, period)
) WITHOUT ROWID;
`;

export const ACCOUNT_SCHEMA = `
CREATE TABLE IF NOT EXISTS account (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  user_id TEXT NOT NULL,
  balance_nano INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'active',
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  last4 TEXT NOT NULL,
  rpm INTEGER, tpm INTEGER, max_concurrency INTEGER, spend_limit_nano INTEGER,
  models TEXT, expires_at INTEGER,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  last_used_at INTEGER,
  spent_nano INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS requests (
  request_id TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  model TEXT NOT NULL,
  state TEXT NOT NULL,
  reserved_nano INTEGER NOT NULL,
  charged_nano INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
-- The requests in flight only (a partial index): a settlement takes its row out and adds none.
CREATE INDEX IF NOT EXISTS requests_open ON requests (expires_at) WHERE state = 'reserved';
CREATE INDEX IF NOT EXISTS requests_created ON requests (created_at);
${RATE_EVENTS_SCHEMA}${PLAN_LIMITS_SCHEMA}CREATE TABLE IF NOT EXISTS ledger (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  amount_nano INTEGER NOT NULL,
  balance_after_nano INTEGER NOT NULL,
  ref TEXT NOT NULL,
  note TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (kind, ref)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  payload TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_ref ON outbox (kind, ref);
${KEY_PERIOD_SPEND_SCHEMA}CREATE TABLE IF NOT EXISTS management_keys (
  id TEXT PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  last4 TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  last_used_at INTEGER
);
CREATE TABLE IF NOT EXISTS members (
  user_id TEXT PRIMARY KEY,
  spend_limit_nano INTEGER,
  spend_limit_period TEXT NOT NULL DEFAULT 'total',
  spent_nano INTEGER NOT NULL DEFAULT 0,
  removed_at INTEGER
);
CREATE TABLE IF NOT EXISTS byok_keys (
  provider TEXT PRIMARY KEY,
  sealed TEXT NOT NULL,
  allow_fallback INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
`;

/** Columns added after the first release: existing Durable Objects already have the table without them. */
const ADDED_COLUMNS: ReadonlyArray<readonly [table: string, column: string, definition: string]> = [
  ["api_keys", "spend_limit_period", "TEXT NOT NULL DEFAULT 'total'"],
  // The most a request may be charged (src/account/overdraft.ts); null on rows admitted before it existed.
  ["requests", "max_charge_nano", "INTEGER"],
  // `waiver` rows: the part of a request's cost that was not charged (their amount is 0).
  ["ledger", "waived_nano", "INTEGER NOT NULL DEFAULT 0"],
  // The tokens admission counted in the rate window, so settlement corrects its bucket (src/account/rate-limit.ts).
  ["requests", "rate_tokens", "INTEGER"],
  // An organization's key: the member who created it (their member spend limit applies); null on a user's own keys.
  ["api_keys", "member_id", "TEXT"],
  // The provisioning API's "disabled": refused like a revoked key, but it can be enabled again.
  ["api_keys", "disabled", "INTEGER NOT NULL DEFAULT 0"],
  // The ledger's lifecycle (src/account/ledger-compaction.ts): the last entry looked at, and how
  // many usage charges a folded `day:` row holds.
  ["account", "ledger_compacted_to", "INTEGER NOT NULL DEFAULT 0"],
  ["ledger", "charges", "INTEGER"],
  // The recent records' lower edge (src/account/usage-plane.ts, pruneSentUsage): older ones are read from the archive.
  ["account", "usage_pruned_before", "INTEGER NOT NULL DEFAULT 0"],
];

/** Brings an existing database up to ACCOUNT_SCHEMA: adds each missing column once (SQLite has no ADD COLUMN IF NOT EXISTS). */
export function migrateAccountSchema(sql: SqlStorage): void {
  for (const [table, column, definition] of ADDED_COLUMNS) {
    const present = sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray().some((c) => c.name === column);
    if (!present) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }
  migrateRateEvents(sql);
  // Every index a settlement touches is a page more in its commit: a key's open requests are found
  // through requests_open (the ones in flight), which a settled row leaves without entering another.
  sql.exec("DROP INDEX IF EXISTS requests_key; DROP INDEX IF EXISTS requests_state;");
  migrateKeySpend(sql);
}

/**
 * Wallets created before the lifetime total moved: key_period_spend was a rowid table and the total
 * was api_keys.spent_nano (a second page in every settlement). Rebuilt WITHOUT ROWID once, and in the
 * same step the old totals move into 'total' rows (the column is zeroed, so nothing counts twice).
 * Later start-ups only read the table's definition.
 */
export function migrateKeySpend(sql: SqlStorage): void {
  const table = sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'key_period_spend'").one().sql;
  if (!/WITHOUT ROWID/i.test(table)) {
    sql.exec("ALTER TABLE key_period_spend RENAME TO key_period_spend_v1");
    sql.exec(KEY_PERIOD_SPEND_SCHEMA);
    sql.exec("INSERT INTO key_period_spend (key_id, period, period_start, spent_nano) SELECT key_id, period, period_start, spent_nano FROM key_period_spend_v1");
    sql.exec("DROP TABLE key_period_spend_v1");
    // Only such a wallet has totals in api_keys: nothing writes that column since.
    sql.exec(
      `INSERT INTO key_period_spend (key_id, period, period_start, spent_nano) SELECT id, 'total', 0, spent_nano FROM api_keys WHERE spent_nano <> 0
       ON CONFLICT (key_id, period) DO UPDATE SET spent_nano = key_period_spend.spent_nano + excluded.spent_nano`,
    );
    sql.exec("UPDATE api_keys SET spent_nano = 0 WHERE spent_nano <> 0");
  }
}

/**
 * Durable Objects created before the buckets hold one rate_events row per request
 * (request_id, key_id, ts, tokens). Folds them into buckets once, so no window is forgotten.
 */
export function migrateRateEvents(sql: SqlStorage): void {
  const cols = sql.exec<{ name: string }>("PRAGMA table_info(rate_events)").toArray();
  if (!cols.some((c) => c.name === "request_id")) return;
  sql.exec("ALTER TABLE rate_events RENAME TO rate_events_v1");
  // Indexes move with a renamed table but keep their names: free the names for the new table.
  for (const index of ["rate_events_ts", "rate_events_key_ts", "rate_events_key_ts_tokens"]) sql.exec(`DROP INDEX IF EXISTS ${index}`);
  sql.exec(RATE_EVENTS_SCHEMA);
  sql.exec(
    "INSERT INTO rate_events (key_id, sec, ts, requests, tokens) SELECT key_id, ts / 1000, max(ts), count(*), sum(tokens) FROM rate_events_v1 GROUP BY key_id, ts / 1000",
  );
  sql.exec("DROP TABLE rate_events_v1");
}


/** Settled and expired request rows are kept this long, so a retried settlement stays a no-op. */
export const REQUEST_RETENTION_MS = 7 * 24 * 3600_000;
export const RATE_WINDOW_MS = 60_000;

export type Row = Record<string, SqlStorageValue>;

export function one<T extends Row>(sql: SqlStorage, query: string, ...args: SqlStorageValue[]): T | null {
  const rows = sql.exec<T>(query, ...args).toArray();
  return rows[0] ?? null;
}

export function num(sql: SqlStorage, query: string, ...args: SqlStorageValue[]): number {
  const row = sql.exec(query, ...args).toArray()[0];
  const value = row ? Object.values(row)[0] : 0;
  return typeof value === "number" ? value : 0;
}
