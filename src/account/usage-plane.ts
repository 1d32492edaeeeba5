import type { PlaneRecord, UsageBatchMessage } from "../db/usage-batch";
import { PLANE_BATCH } from "../db/usage-batch";
import { num, one, type Row } from "./storage";

import type { Env } from "../env";
import { usagePlaneConfig } from "../config";
import { compactLedger } from "./ledger-compaction";
import { flushBatch } from "./outbox";

export { usagePlaneConfig };

/** A usage record's creation time in SQL (the usage_pending_created index is on this expression). */
export const RECORD_CREATED = "json_extract(payload, '$.createdAt')";

/**
 * The wallet's side of the usage data plane (docs/capacity.md). Each usage record waits in
 * usage_pending until the queue accepted the batch it belongs to, and stays there (sent_at set)
 * for the recent window (USAGE_RECENT_DAYS) as the raw record /generation reads. A batch is claimed (numbered
 * 1, 2, 3, …, its records fixed) before it is sent and is resent unchanged until the queue takes
 * it, so the consumer can apply each number exactly once and in order. usage_batches keeps the
 * running totals at each claimed batch for reconciliation with D1's usage_cursors.
 * `seq` orders the rows present (claiming, reading, the newest record of a request), so it is a
 * plain rowid: AUTOINCREMENT (kept by wallets created before) writes sqlite_sequence in every settlement.
 */
export const USAGE_PLANE_SCHEMA = `
CREATE TABLE IF NOT EXISTS usage_pending (
  seq INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL,
  batch INTEGER,
  sent_at INTEGER,
  charged_nano INTEGER NOT NULL,
  payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS usage_pending_batch ON usage_pending (sent_at, batch, seq);
CREATE INDEX IF NOT EXISTS usage_pending_request ON usage_pending (request_id);
CREATE INDEX IF NOT EXISTS usage_pending_created ON usage_pending (${RECORD_CREATED}, request_id);
CREATE TABLE IF NOT EXISTS archived_days (
  day TEXT PRIMARY KEY,
  records INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS usage_batches (
  batch INTEGER PRIMARY KEY,
  records_total INTEGER NOT NULL,
  charged_total_nano INTEGER NOT NULL,
  claimed_at INTEGER NOT NULL
);
`;

/** Claimed batches older than this leave usage_batches (the newest one always stays). */
const BATCH_LOG_MS = 30 * 24 * 3600_000;

export function enqueueUsage(sql: SqlStorage, record: PlaneRecord): void {
  sql.exec("INSERT INTO usage_pending (request_id, batch, charged_nano, payload) VALUES (?, NULL, ?, ?)", record.requestId, record.costNano, JSON.stringify(record));
}

interface BatchRow extends Row { batch: number; records_total: number; charged_total_nano: number }

function lastBatch(sql: SqlStorage): BatchRow | null {
  return one<BatchRow>(sql, "SELECT batch, records_total, charged_total_nano FROM usage_batches ORDER BY batch DESC LIMIT 1");
}

/** The oldest claimed batch still unsent, else a new one from the oldest waiting records; null when nothing waits. */
export function claimBatch(sql: SqlStorage, now: number): number | null {
  const open = num(sql, "SELECT coalesce(min(batch), 0) FROM usage_pending WHERE sent_at IS NULL AND batch IS NOT NULL");
  if (open) return open;
  const rows = sql.exec<{ seq: number; charged_nano: number }>(
    "SELECT seq, charged_nano FROM usage_pending WHERE sent_at IS NULL AND batch IS NULL ORDER BY seq LIMIT ?", PLANE_BATCH,
  ).toArray();
  if (rows.length === 0) return null;
  const prev = lastBatch(sql);
  const batch = (prev?.batch ?? 0) + 1;
  const charged = rows.reduce((s, r) => s + r.charged_nano, 0);
  sql.exec("UPDATE usage_pending SET batch = ? WHERE sent_at IS NULL AND batch IS NULL AND seq <= ?", batch, rows.at(-1)!.seq);
  sql.exec("INSERT INTO usage_batches (batch, records_total, charged_total_nano, claimed_at) VALUES (?, ?, ?, ?)",
    batch, (prev?.records_total ?? 0) + rows.length, (prev?.charged_total_nano ?? 0) + charged, now);
  sql.exec("DELETE FROM usage_batches WHERE claimed_at < ? AND batch < ?", now - BATCH_LOG_MS, batch);
  return batch;
}

export function batchMessage(sql: SqlStorage, userId: string, batch: number): UsageBatchMessage {
  // A claimed batch is unsent until batchSent: `sent_at IS NULL` lets the (sent_at, batch, seq) index find it.
  const records = sql.exec<{ payload: string }>("SELECT payload FROM usage_pending WHERE sent_at IS NULL AND batch = ? ORDER BY seq", batch)
    .toArray().map((r) => JSON.parse(r.payload) as PlaneRecord);
  return { v: 1, userId, batch, records };
}

export function batchSent(sql: SqlStorage, batch: number, now: number): void {
  sql.exec("UPDATE usage_pending SET sent_at = ? WHERE sent_at IS NULL AND batch = ?", now, batch);
}

/** Days of the archive index kept: longer than any usage retention, bounded all the same. */
const ARCHIVED_DAYS_KEPT_MS = 5 * 366 * 86_400_000;

/**
 * Sent records created before the recent window leave the Durable Object (the archive keeps them).
 * account.usage_pruned_before remembers the latest cutoff: every record created before it was
 * pruned once sent, so readers take older records from the archive (src/usage/archived.ts), from
 * the days listed in archived_days (UTC day → records pruned), so they read no empty day.
 */
export function pruneSentUsage(sql: SqlStorage, now: number, recentMs: number): void {
  const cutoff = now - recentMs;
  const old = `sent_at IS NOT NULL AND ${RECORD_CREATED} < ?`;
  sql.exec(
    `INSERT INTO archived_days (day, records)
     SELECT strftime('%Y-%m-%d', ${RECORD_CREATED} / 1000, 'unixepoch'), count(*) FROM usage_pending WHERE ${old} GROUP BY 1
     ON CONFLICT (day) DO UPDATE SET records = records + excluded.records`, cutoff,
  );
  sql.exec(`DELETE FROM usage_pending WHERE ${old}`, cutoff);
  sql.exec("UPDATE account SET usage_pruned_before = max(usage_pruned_before, ?) WHERE id = 1", cutoff);
  sql.exec("DELETE FROM archived_days WHERE day < ?", new Date(now - ARCHIVED_DAYS_KEPT_MS).toISOString().slice(0, 10));
}

/**
 * The lifecycle of what the wallet keeps per request, run by the alarm: sent usage records and
 * (with USAGE_D1_MIRROR off) the ledger's per-request usage charges leave it after the recent
 * window; the charges are folded into one row per day (src/account/ledger-compaction.ts).
 */
export function applyUsageLifecycle(sql: SqlStorage, now: number, config: { recentMs: number; d1Mirror: boolean }): void {
  pruneSentUsage(sql, now, config.recentMs);
  if (!config.d1Mirror) compactLedger(sql, now, config.recentMs);
}

/**
 * Sends the waiting usage records to the queue, one claimed batch at a time. A failed send throws
 * and leaves the batch claimed; the next flush resends it unchanged. Returns records sent.
 */
export async function sendUsage(storage: DurableObjectStorage, queue: Queue<UsageBatchMessage> | undefined, userId: string): Promise<number> {
  let sent = 0;
  if (!queue) return sent;
  for (;;) {
    const batch = storage.transactionSync(() => claimBatch(storage.sql, Date.now()));
    if (batch === null) return sent;
    const message = batchMessage(storage.sql, userId, batch);
    await queue.send(message, { contentType: "json" });
    batchSent(storage.sql, batch, Date.now());
    sent += message.records.length;
  }
}

/** A usage record of the recent window (sent or not), e.g. for /generation. */
export function findPendingRecord(sql: SqlStorage, requestId: string, userId: string): (PlaneRecord & { userId: string }) | null {
  const rows = sql.exec<{ payload: string }>("SELECT payload FROM usage_pending WHERE request_id = ? ORDER BY seq DESC LIMIT 1", requestId).toArray();
  return rows[0] ? { ...(JSON.parse(rows[0].payload) as PlaneRecord), userId } : null;
}

/** What reconciliation compares with D1's usage_cursors row of this wallet. */
export interface PlaneSnapshot {
  /** Running totals at `batch` (null: that batch is no longer in the log). */
  atBatch: { records: number; chargedNano: number } | null;
  /** Σ charges of usage records never sent (claimed or not) + Σ claimed: must equal the ledger's usage debits. */
  claimedChargedNano: number;
  unclaimedChargedNano: number;
  pendingRecords: number;
}

export function planeSnapshot(sql: SqlStorage, batch: number): PlaneSnapshot {
  const at = one<BatchRow>(sql, "SELECT batch, records_total, charged_total_nano FROM usage_batches WHERE batch = ?", batch);
  return {
    atBatch: batch === 0 ? { records: 0, chargedNano: 0 } : at ? { records: at.records_total, chargedNano: at.charged_total_nano } : null,
    claimedChargedNano: lastBatch(sql)?.charged_total_nano ?? 0,
    unclaimedChargedNano: num(sql, "SELECT coalesce(sum(charged_nano), 0) FROM usage_pending WHERE sent_at IS NULL AND batch IS NULL"),
    pendingRecords: num(sql, "SELECT count(*) FROM usage_pending WHERE sent_at IS NULL"),
  };
}

/** Drains the outbox into D1 (usage copies only with USAGE_D1_MIRROR on), then the usage records into the queue. Returns rows delivered. */
export async function flushAll(storage: DurableObjectStorage, env: Env, userId: string): Promise<number> {
  let total = 0;
  const mirror = usagePlaneConfig(env).d1Mirror;
  for (let n = await flushBatch(storage.sql, env.DB, mirror); n > 0; n = await flushBatch(storage.sql, env.DB, mirror)) total += n;
  return total + await sendUsage(storage, env.USAGE_QUEUE, userId);
}
