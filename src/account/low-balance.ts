import { nano, formatUsd, type Nano } from "../lib/money";
import { enqueue } from "./outbox";
import { one, type Row } from "./storage";

/**
 * The low-balance email: the user sets a threshold and gets one email each time the balance
 * crosses below it. The Durable Object keeps the threshold and an "armed" flag next to the
 * balance, so the crossing is detected inside the same synchronous ledger post that causes it:
 * two concurrent charges cannot both see themselves as the one that crossed.
 *
 * armed = 1 while the balance is at or above the threshold (or once it got back there);
 * the crossing post disarms it. The email address is not kept here: the outbox item names the
 * user and D1 looks the address up when it is delivered.
 */
export const LOW_BALANCE_SCHEMA = `
CREATE TABLE IF NOT EXISTS low_balance (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  threshold_nano INTEGER,
  armed INTEGER NOT NULL DEFAULT 0
);
`;

interface LowBalanceRow extends Row { threshold_nano: number | null; armed: number }

export function lowBalanceThreshold(sql: SqlStorage): Nano | null {
  const threshold = one<LowBalanceRow>(sql, "SELECT threshold_nano, armed FROM low_balance WHERE id = 1")?.threshold_nano ?? null;
  return threshold === null ? null : nano(threshold);
}

/**
 * Sets (or with null, clears) the threshold. A balance already below the new threshold sends
 * nothing now: the next email needs the balance to come back up and fall again.
 */
export function setThreshold(sql: SqlStorage, thresholdNano: Nano | null, balanceNano: Nano): void {
  const armed = thresholdNano !== null && balanceNano >= thresholdNano ? 1 : 0;
  sql.exec(
    "INSERT INTO low_balance (id, threshold_nano, armed) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET threshold_nano = excluded.threshold_nano, armed = excluded.armed",
    thresholdNano, armed,
  );
}

/**
 * Called by ledger.post() for every balance change, inside its transaction. Queues one email
 * when this post takes an armed balance from ≥ threshold to < threshold; re-arms when a post
 * brings the balance back to ≥ threshold. `entryId` (the crossing ledger entry) makes the email's
 * id deterministic, so a retried outbox flush inserts it once.
 */
export function onBalanceChange(sql: SqlStorage, userId: string, entryId: string, before: Nano, after: Nano, now: number): void {
  const row = one<LowBalanceRow>(sql, "SELECT threshold_nano, armed FROM low_balance WHERE id = 1");
  if (!row || row.threshold_nano === null) return;
  const threshold = row.threshold_nano;
  if (after >= threshold) {
    if (!row.armed) sql.exec("UPDATE low_balance SET armed = 1 WHERE id = 1");
    return;
  }
  if (!row.armed || before < threshold) return;
  sql.exec("UPDATE low_balance SET armed = 0 WHERE id = 1");
  enqueue(sql, {
    kind: "low_balance",
    row: { id: `eml_low_${entryId}`, userId, balanceUsd: formatUsd(after), thresholdUsd: formatUsd(threshold), createdAt: now },
  }, now);
}
