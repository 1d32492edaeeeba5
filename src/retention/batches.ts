/**
 * Bounded D1 clean-up steps. Each statement touches at most `limit` rows (a sub-select with LIMIT:
 * D1's SQLite has no UPDATE/DELETE … LIMIT), so one cron run stays within the Workers limits and
 * the next run carries on where this one stopped. Every step is idempotent.
 */

/** Marker written over usage_logs.key_id: "deleted" for an erased account, "anonymized" for age. */
export type UsageMarker = "deleted" | "anonymized";

const NOT_YET = "key_id NOT IN ('deleted', 'anonymized')";

export interface Batch {
  limit: number;
  /** Statements per step and run at most (each of `limit` rows). */
  rounds: number;
}

export const DEFAULT_BATCH: Batch = { limit: 500, rounds: 20 };

/** Runs `step` until it touches fewer than `limit` rows or `rounds` ran out. Returns rows touched. */
export async function drain(batch: Batch, step: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < batch.rounds; i++) {
    const n = await step(batch.limit);
    total += n;
    if (n < batch.limit) break;
  }
  return total;
}

/**
 * Anonymizes usage rows matched by `where`: the key id gives way to `marker` and the routing note
 * is cleared. user_id, model, tokens and cost stay, so totals still reconcile with the transactions.
 */
export async function anonymizeUsage(db: D1Database, marker: UsageMarker, where: string, binds: unknown[], limit: number): Promise<number> {
  const res = await db.prepare(
    `UPDATE usage_logs SET key_id = ?, route_reason = NULL
     WHERE request_id IN (SELECT request_id FROM usage_logs WHERE ${where} AND ${NOT_YET} LIMIT ?)`,
  ).bind(marker, ...binds, limit).run();
  return res.meta.changes;
}

/** Deletes up to `limit` rows of `table` matched by `where` (keyed by `key`). */
export async function deleteRows(db: D1Database, table: string, key: string, where: string, binds: unknown[], limit: number): Promise<number> {
  const res = await db.prepare(`DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${where} LIMIT ?)`)
    .bind(...binds, limit).run();
  return res.meta.changes;
}

/** One user's usage rows, at account deletion. */
export function anonymizeUserUsage(db: D1Database, userId: string, batch: Batch = DEFAULT_BATCH): Promise<number> {
  return drain(batch, (limit) => anonymizeUsage(db, "deleted", "user_id = ?", [userId], limit));
}
