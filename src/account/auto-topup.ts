import { nano, formatUsd, type Nano } from "../lib/money";
import { enqueue } from "./outbox";
import { num, one, type Row } from "./storage";

/**
 * Opt-in auto top-up (P7: never without opt-in). Off unless the user turned it on with an explicit
 * confirmation (src/routes/billing/auto-topup.ts). Like the low-balance email, the crossing is
 * decided inside the ledger post that causes it (`onAutoTopupCrossing`, called by post()), so
 * any number of concurrent charges produce at most one auto top-up per crossing. The charge is
 * recorded here as `pending` with its amount counted against the month's cap at once, so two
 * crossings can never together pass the cap; ./auto-topup-charge.ts then asks Stripe.
 */
export const AUTO_TOPUP_SCHEMA = `
CREATE TABLE IF NOT EXISTS auto_topup (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  enabled INTEGER NOT NULL DEFAULT 0,
  threshold_nano INTEGER NOT NULL DEFAULT 0,
  amount_nano INTEGER NOT NULL DEFAULT 0,
  monthly_cap_nano INTEGER NOT NULL DEFAULT 0,
  customer_id TEXT,
  payment_method_id TEXT,
  armed INTEGER NOT NULL DEFAULT 0,
  disabled_reason TEXT,
  updated_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS auto_topup_charges (
  id TEXT PRIMARY KEY,
  month TEXT NOT NULL,
  amount_nano INTEGER NOT NULL,
  state TEXT NOT NULL,
  payment_intent_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS auto_topup_charges_state ON auto_topup_charges (state, created_at);
`;

export interface AutoTopupSettings { thresholdNano: Nano; amountNano: Nano; monthlyCapNano: Nano; customerId: string; paymentMethodId: string }
export interface AutoTopupState {
  enabled: boolean; thresholdNano: Nano; amountNano: Nano; monthlyCapNano: Nano; chargedThisMonthNano: Nano;
  disabledReason: string | null; paymentMethodId: string | null;
}
interface SettingsRow extends Row {
  enabled: number; threshold_nano: number; amount_nano: number; monthly_cap_nano: number; customer_id: string | null;
  payment_method_id: string | null; armed: number; disabled_reason: string | null;
}

export const monthOf = (now: number) => new Date(now).toISOString().slice(0, 7);
const settings = (sql: SqlStorage) => one<SettingsRow>(sql, "SELECT * FROM auto_topup WHERE id = 1");
/** Pending and succeeded charges of the month: what the cap is measured against. */
const chargedIn = (sql: SqlStorage, month: string) => num(sql, "SELECT coalesce(sum(amount_nano), 0) FROM auto_topup_charges WHERE month = ? AND state <> 'failed'", month);

/** Turns auto top-up on with these figures (armed if the balance is at or above the threshold now), or off (null); returns the new state. */
export function setAutoTopup(sql: SqlStorage, input: AutoTopupSettings | null, balanceNano: Nano, now: number): AutoTopupState {
  if (!input) {
    sql.exec("UPDATE auto_topup SET enabled = 0, armed = 0, disabled_reason = 'turned_off', updated_at = ? WHERE id = 1", now);
    return autoTopupState(sql, now);
  }
  sql.exec(
    `INSERT INTO auto_topup (id, enabled, threshold_nano, amount_nano, monthly_cap_nano, customer_id, payment_method_id, armed, disabled_reason, updated_at)
     VALUES (1, 1, ?, ?, ?, ?, ?, ?, NULL, ?) ON CONFLICT (id) DO UPDATE SET enabled = 1, threshold_nano = excluded.threshold_nano,
     amount_nano = excluded.amount_nano, monthly_cap_nano = excluded.monthly_cap_nano, customer_id = excluded.customer_id,
     payment_method_id = excluded.payment_method_id, armed = excluded.armed, disabled_reason = NULL, updated_at = excluded.updated_at`,
    input.thresholdNano, input.amountNano, input.monthlyCapNano, input.customerId, input.paymentMethodId, balanceNano >= input.thresholdNano ? 1 : 0, now,
  );
  return autoTopupState(sql, now);
}

export function autoTopupState(sql: SqlStorage, now: number): AutoTopupState {
  const s = settings(sql);
  return {
    enabled: s?.enabled === 1, thresholdNano: nano(s?.threshold_nano ?? 0), amountNano: nano(s?.amount_nano ?? 0), monthlyCapNano: nano(s?.monthly_cap_nano ?? 0),
    chargedThisMonthNano: nano(chargedIn(sql, monthOf(now))), disabledReason: s?.disabled_reason ?? null, paymentMethodId: s?.payment_method_id ?? null,
  };
}

/**
 * Called by ledger.post() for every balance change, inside its transaction. An enabled, armed
 * auto top-up whose balance goes from ≥ threshold to < threshold is disarmed and, if the month's
 * cap leaves room for the whole amount, records one pending charge `atp_<entry id>`. A post that
 * brings the balance back to ≥ threshold (the top-up's own credit, or any other) re-arms it.
 */
export function onAutoTopupCrossing(sql: SqlStorage, entryId: string, before: Nano, after: Nano, now: number): void {
  const s = settings(sql);
  if (!s || !s.enabled) return;
  if (after >= s.threshold_nano) {
    if (!s.armed) sql.exec("UPDATE auto_topup SET armed = 1 WHERE id = 1");
    return;
  }
  if (!s.armed || before < s.threshold_nano) return;
  sql.exec("UPDATE auto_topup SET armed = 0 WHERE id = 1");
  const month = monthOf(now);
  if (chargedIn(sql, month) + s.amount_nano > s.monthly_cap_nano) return;
  sql.exec("INSERT OR IGNORE INTO auto_topup_charges (id, month, amount_nano, state, created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?)",
    `atp_${entryId}`, month, s.amount_nano, now, now);
}

export interface PendingCharge { id: string; amountNano: Nano; customerId: string; paymentMethodId: string }

export function pendingCharges(sql: SqlStorage): PendingCharge[] {
  const s = settings(sql);
  if (!s?.customer_id || !s.payment_method_id) return [];
  return sql.exec<{ id: string; amount_nano: number }>("SELECT id, amount_nano FROM auto_topup_charges WHERE state = 'pending' ORDER BY created_at").toArray()
    .map((r) => ({ id: r.id, amountNano: nano(r.amount_nano), customerId: s.customer_id!, paymentMethodId: s.payment_method_id! }));
}

/** A declined charge: the charge is `failed` (its amount leaves the month's cap), auto top-up is turned off, and the user is told. */
export function failCharge(sql: SqlStorage, userId: string, charge: PendingCharge, reason: string, now: number): void {
  if (sql.exec("UPDATE auto_topup_charges SET state = 'failed', updated_at = ? WHERE id = ? AND state = 'pending'", now, charge.id).rowsWritten === 0) return;
  sql.exec("UPDATE auto_topup SET enabled = 0, armed = 0, disabled_reason = ?, updated_at = ? WHERE id = 1", `charge_failed:${reason}`, now);
  enqueue(sql, { kind: "email", row: { id: `eml_${charge.id}_failed`, userId, template: "auto_topup_failed", data: { amount_usd: formatUsd(charge.amountNano), reason }, createdAt: now } }, now);
}

/** A paid charge: `succeeded`, with its payment intent; the caller posts the purchase in the same step. */
export function chargeSucceeded(sql: SqlStorage, userId: string, charge: PendingCharge, paymentIntentId: string, balanceAfterNano: Nano, now: number): void {
  if (sql.exec("UPDATE auto_topup_charges SET state = 'succeeded', payment_intent_id = ?, updated_at = ? WHERE id = ? AND state = 'pending'", paymentIntentId, now, charge.id).rowsWritten === 0) return;
  enqueue(sql, { kind: "email", row: {
    id: `eml_${charge.id}_paid`, userId, template: "auto_topup_charged", data: { amount_usd: formatUsd(charge.amountNano), balance_usd: formatUsd(balanceAfterNano) }, createdAt: now,
  } }, now);
}
