import type { TransactionRow, UsageLogRow } from "../db/schema";
import type { Row } from "./storage";

/** A low-balance email to queue in D1's email_outbox; the address is looked up there by user id. */
export interface LowBalanceEmail { id: string; userId: string; balanceUsd: string; thresholdUsd: string; createdAt: number }
/** Any other email the wallet decides to send (auto top-up charges); `template` names an EmailTemplate (src/email/outbox.ts). */
export interface WalletEmail { id: string; userId: string; template: string; data: Record<string, string | number | null>; createdAt: number }

/**
 * The outbox carries usage records, ledger entries and low-balance emails from the Durable Object
 * to D1. Rows leave the outbox only after D1 accepted them; inserts are idempotent by primary key,
 * so a retry after a partial failure duplicates nothing and a D1 outage loses nothing.
 */
export type OutboxItem =
  | { kind: "usage"; row: UsageLogRow }
  | { kind: "txn"; row: TransactionRow }
  | { kind: "low_balance"; row: LowBalanceEmail }
  | { kind: "email"; row: WalletEmail };

export const OUTBOX_BATCH = 50;

export function enqueue(sql: SqlStorage, item: OutboxItem, now: number): void {
  const ref = item.kind === "usage" ? item.row.requestId : item.row.id;
  sql.exec("INSERT INTO outbox (kind, ref, payload, created_at) VALUES (?, ?, ?, ?)", item.kind, ref, JSON.stringify(item.row), now);
}

interface OutboxRow extends Row { seq: number; kind: string; payload: string; attempts: number }

const USAGE_COLUMNS = [
  "request_id", "user_id", "key_id", "model", "provider", "endpoint", "stream", "prompt_tokens", "completion_tokens",
  "cached_tokens", "reasoning_tokens", "cost_nano", "latency_ms", "status", "http_status", "usage_source", "error_code",
  "attempts", "created_at", "route_reason", "price_version",
] as const;

function usageValues(r: UsageLogRow): (string | number | null)[] {
  return [r.requestId, r.userId, r.keyId, r.model, r.provider, r.endpoint, r.stream ? 1 : 0, r.promptTokens, r.completionTokens,
    r.cachedTokens ?? 0, r.reasoningTokens ?? 0, r.costNano, r.latencyMs, r.status, r.httpStatus, r.usageSource, r.errorCode ?? null,
    r.attempts ?? 1, r.createdAt, r.routeReason ?? null, r.priceVersion ?? null];
}

const USAGE_INSERT = `INSERT INTO usage_logs (${USAGE_COLUMNS.join(", ")}) VALUES (${USAGE_COLUMNS.map(() => "?").join(", ")})
  ON CONFLICT (request_id) DO UPDATE SET ${USAGE_COLUMNS.filter((c) => c !== "request_id").map((c) => `${c} = excluded.${c}`).join(", ")}
  WHERE usage_logs.status = 'expired' AND excluded.status <> 'expired'`;

const TXN_INSERT = `INSERT OR IGNORE INTO transactions (id, user_id, kind, amount_nano, balance_after_nano, ref, note, created_at, waived_nano)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

// No email address is kept in the Durable Object: D1 takes it from users. A deleted (or unknown)
// user gets no mail; the item still leaves the outbox. The id is fixed at enqueue time, so
// delivering the same item twice inserts one row.
const LOW_BALANCE_INSERT = `INSERT OR IGNORE INTO email_outbox (id, user_id, to_address, template, data, attempts, next_attempt_at, created_at)
  SELECT ?, id, email, 'low_balance', ?, 0, ?, ? FROM users WHERE id = ? AND deleted_at IS NULL AND status <> 'deleted'`;

const EMAIL_INSERT = `INSERT OR IGNORE INTO email_outbox (id, user_id, to_address, template, data, attempts, next_attempt_at, created_at)
  SELECT ?, id, email, ?, ?, 0, ?, ? FROM users WHERE id = ? AND deleted_at IS NULL AND status <> 'deleted'`;

function statement(db: D1Database, item: OutboxItem): D1PreparedStatement {
  if (item.kind === "usage") return db.prepare(USAGE_INSERT).bind(...usageValues(item.row));
  if (item.kind === "email") {
    const m = item.row;
    return db.prepare(EMAIL_INSERT).bind(m.id, m.template, JSON.stringify(m.data), m.createdAt, m.createdAt, m.userId);
  }
  if (item.kind === "low_balance") {
    const m = item.row;
    const data = JSON.stringify({ balance_usd: m.balanceUsd, threshold_usd: m.thresholdUsd });
    return db.prepare(LOW_BALANCE_INSERT).bind(m.id, data, m.createdAt, m.createdAt, m.userId);
  }
  const t = item.row;
  return db.prepare(TXN_INSERT).bind(t.id, t.userId, t.kind, t.amountNano, t.balanceAfterNano, t.ref, t.note ?? null, t.createdAt, t.waivedNano ?? 0);
}

/** Per-request copies the data plane replaces (docs/capacity.md): sent to D1 only while the mirror is on. */
const perRequest = (i: OutboxItem) => i.kind === "usage" || (i.kind === "txn" && i.row.kind === "usage");

/**
 * Sends one batch to D1. Returns how many rows left the outbox; throws if D1 failed (rows stay).
 * Without the mirror, usage records and usage charges leave the outbox without a D1 row: they
 * travel through the usage plane (./usage-plane.ts) instead.
 */
export async function flushBatch(sql: SqlStorage, db: D1Database, mirror = true): Promise<number> {
  const rows = sql.exec<OutboxRow>("SELECT seq, kind, payload, attempts FROM outbox ORDER BY seq LIMIT ?", OUTBOX_BATCH).toArray();
  if (rows.length === 0) return 0;
  const items = rows.map((r) => ({ kind: r.kind, row: JSON.parse(r.payload) }) as OutboxItem).filter((i) => mirror || !perRequest(i));
  try {
    if (items.length > 0) await db.batch(items.map((i) => statement(db, i)));
  } catch (err) {
    sql.exec(`UPDATE outbox SET attempts = attempts + 1 WHERE seq <= ?`, rows.at(-1)!.seq);
    throw err;
  }
  sql.exec("DELETE FROM outbox WHERE seq <= ?", rows.at(-1)!.seq);
  return rows.length;
}

export function pendingOutbox(sql: SqlStorage): { count: number; maxAttempts: number } {
  const r = sql.exec<{ count: number; maxAttempts: number | null }>("SELECT count(*) AS count, max(attempts) AS maxAttempts FROM outbox").one();
  return { count: r.count, maxAttempts: r.maxAttempts ?? 0 };
}

/** Records still waiting in the outbox, e.g. for /generation right after a request. */
export function findPendingUsage(sql: SqlStorage, requestId: string): UsageLogRow | null {
  const rows = sql.exec<OutboxRow>("SELECT payload FROM outbox WHERE kind = 'usage' AND ref = ? ORDER BY seq DESC", requestId).toArray();
  return rows[0] ? (JSON.parse(rows[0].payload) as UsageLogRow) : null;
}
