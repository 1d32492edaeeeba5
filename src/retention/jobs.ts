import { deleteAccount } from "./account-deletion";
import { authConfig } from "../auth/config";
import type { Env } from "../env";
import { anonymizeUsage, DEFAULT_BATCH, deleteRows, drain, type Batch } from "./batches";
import { dayOf, pruneArchive } from "../usage/plane/archive";

/** Unverified accounts purged per run: each one is a Durable Object call plus a few D1 writes. */
export const PURGE_PER_RUN = 25;

export interface RetentionReport {
  usageAnonymized: number;
  deletedUsageAnonymized: number;
  securityEventsDeleted: number;
  transactionsDeleted: number;
  unverifiedPurged: number;
  deletedAccountsSecurityEvents: number;
  deletedAccountsEmails: number;
  /** The usage plane: hourly rollups and archive objects after the usage period, statements after the transactions period. */
  rollupsDeleted: number;
  statementsDeleted: number;
  archiveObjectsDeleted: number;
}

const DELETED_BEFORE = "user_id IN (SELECT id FROM users WHERE status = 'deleted' AND deleted_at < ?)";

/**
 * The retention rules of docs/privacy-operations.md (P19), run by the cron. "Older than P" means
 * created strictly before `now - P`: a row exactly P old is kept until the next run. Periods come
 * from authConfig(env).retention (RETENTION_*_DAYS). Each step is bounded by `batch`; whatever is
 * left is picked up by the next run.
 */
export async function runRetention(env: Env, now: number, batch: Batch = DEFAULT_BATCH): Promise<RetentionReport> {
  const r = authConfig(env).retention;
  const db = env.DB;
  const report: RetentionReport = {
    // Usage logs: kept for statistics and billing questions, but unlinked from the key after the period.
    usageAnonymized: await drain(batch, (n) => anonymizeUsage(db, "anonymized", "created_at < ?", [now - r.usageMs], n)),
    // Requests still in flight when an account was deleted settle later: anonymize those rows too.
    deletedUsageAnonymized: await drain(batch, (n) => anonymizeUsage(db, "deleted", "user_id IN (SELECT id FROM users WHERE status = 'deleted')", [], n)),
    securityEventsDeleted: await drain(batch, (n) => deleteRows(db, "security_events", "id", "created_at < ?", [now - r.securityMs], n)),
    transactionsDeleted: await drain(batch, (n) => deleteRows(db, "transactions", "id", "created_at < ?", [now - r.transactionsMs], n)),
    unverifiedPurged: await purgeUnverified(env, now - r.unverifiedMs, now),
    // 30 days after deletion, what was kept for security and delivery goes too. audit_log rows stay
    // (they name only the opaque user id, and show what operators did).
    deletedAccountsSecurityEvents: await drain(batch, (n) => deleteRows(db, "security_events", "id", DELETED_BEFORE, [now - r.deletedMs], n)),
    deletedAccountsEmails: await drain(batch, (n) => deleteRows(db, "email_outbox", "id", DELETED_BEFORE, [now - r.deletedMs], n)),
    rollupsDeleted: await drain(batch, (n) => deleteRows(db, "usage_rollups", "rowid", "hour < ?", [now - r.usageMs], n)),
    statementsDeleted: await drain(batch, (n) => deleteRows(db, "usage_statements", "rowid", "day < ?", [dayOf(now - r.transactionsMs)], n)),
    archiveObjectsDeleted: await pruneArchive(env.USAGE_ARCHIVE, dayOf(now - r.usageMs)),
  };
  return report;
}

/** Accounts whose address was never confirmed, created before `cutoff`: erased like a deletion, without email. */
async function purgeUnverified(env: Env, cutoff: number, now: number): Promise<number> {
  const { results } = await env.DB.prepare(
    "SELECT id FROM users WHERE status = 'active' AND email_verified_at IS NULL AND created_at < ? ORDER BY created_at LIMIT ?",
  ).bind(cutoff, PURGE_PER_RUN).all<{ id: string }>();
  for (const { id } of results) await deleteAccount(env, id, { now, reason: "unverified_purge", notify: false });
  return results.length;
}
