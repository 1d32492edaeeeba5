import { newId } from "../lib/ids";
import { num, one, type Row } from "./storage";

/**
 * The ledger's lifecycle (docs/capacity.md): per-request usage charges older than the recent window
 * (USAGE_RECENT_DAYS) are folded into one `usage` row per UTC day, ref `day:YYYY-MM-DD`, whose
 * amount is their sum and whose `charges` is how many it holds. Every other kind (payments, grants,
 * refunds, waivers) stays a row of its own. The balance does not change and Σ amounts stays equal
 * to it; the exact per-request charges older than the window live on in the usage archive (R2) and
 * the daily statements (D1, the 5-year record). Only with USAGE_D1_MIRROR off: with it on, D1's
 * transactions hold each charge and reconciliation compares them one by one.
 *
 * The scan starts after account.ledger_compacted_to (the last entry already looked at), so each
 * entry is read once, and takes at most `limit` entries a run: the alarm's work stays bounded.
 * A folded charge's (kind, ref) row is gone, but its replay check ended long before: a settlement
 * is retried within minutes, and its request row (REQUEST_RETENTION_MS, 7 days) answers a replay.
 */
export const DAY_REF = "day:";

interface UsageRow extends Row { id: string; amount_nano: number; balance_after_nano: number; created_at: number }
interface DayRow extends Row { id: string; amount_nano: number; charges: number | null; created_at: number }

/** Folds old usage charges into daily rows; returns how many per-request rows it folded. */
export function compactLedger(sql: SqlStorage, now: number, recentMs: number, limit = 5000): number {
  const cutoff = now - recentMs;
  const from = num(sql, "SELECT ledger_compacted_to FROM account WHERE id = 1");
  if (from >= cutoff - 1) return 0;
  const scanned = sql.exec<{ created_at: number }>(
    "SELECT created_at FROM ledger WHERE created_at > ? AND created_at < ? ORDER BY created_at LIMIT ?", from, cutoff, limit,
  ).toArray();
  // All entries up to `through` are looked at in this run: the whole window up to the cutoff, or the first `limit`.
  const through = scanned.length < limit ? cutoff - 1 : scanned.at(-1)!.created_at;
  const rows = sql.exec<UsageRow>(
    // `+kind`: the range on created_at picks the rows; the (kind, ref) index would read every usage row.
    `SELECT id, amount_nano, balance_after_nano, created_at FROM ledger
     WHERE created_at > ? AND created_at <= ? AND +kind = 'usage' AND ref NOT LIKE '${DAY_REF}%' ORDER BY created_at`, from, through,
  ).toArray();
  for (const [day, group] of byDay(rows)) foldDay(sql, day, group);
  if (rows.length > 0) {
    sql.exec(`DELETE FROM ledger WHERE created_at > ? AND created_at <= ? AND +kind = 'usage' AND ref NOT LIKE '${DAY_REF}%'`, from, through);
  }
  sql.exec("UPDATE account SET ledger_compacted_to = ? WHERE id = 1", through);
  return rows.length;
}

function byDay(rows: UsageRow[]): Map<string, UsageRow[]> {
  const days = new Map<string, UsageRow[]>();
  for (const r of rows) {
    const day = new Date(r.created_at).toISOString().slice(0, 10);
    const group = days.get(day);
    if (group) group.push(r);
    else days.set(day, [r]);
  }
  return days;
}

/** Adds one day's charges to its `day:` row (made on the first run that reaches the day). */
function foldDay(sql: SqlStorage, day: string, group: UsageRow[]): void {
  const last = group.at(-1)!;
  const amount = group.reduce((s, r) => s + r.amount_nano, 0);
  const ref = DAY_REF + day;
  const note = `usage charges of ${day} (UTC), folded`;
  const existing = one<DayRow>(sql, "SELECT id, amount_nano, charges, created_at FROM ledger WHERE kind = 'usage' AND ref = ?", ref);
  if (existing) {
    // The day's row takes the place of its latest charge: its time and the balance after it.
    sql.exec(
      "UPDATE ledger SET amount_nano = ?, charges = ?, balance_after_nano = ?, created_at = ? WHERE id = ?",
      existing.amount_nano + amount, (existing.charges ?? 0) + group.length, last.balance_after_nano, Math.max(existing.created_at, last.created_at), existing.id,
    );
    return;
  }
  sql.exec(
    "INSERT INTO ledger (id, kind, amount_nano, balance_after_nano, ref, note, created_at, waived_nano, charges) VALUES (?, 'usage', ?, ?, ?, ?, ?, 0, ?)",
    newId("txn_", last.created_at), amount, last.balance_after_nano, ref, note, last.created_at, group.length,
  );
}
