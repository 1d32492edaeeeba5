import { balance, post } from "./ledger";
import { num, type Row } from "./storage";
import { nano } from "../lib/money";

/**
 * Plan credit: the credit a paid subscription invoice includes, granted once per invoice and
 * expiring at the end of the invoice's period. Each grant keeps what is left of it: usage is
 * counted against unexpired plan credit first (soonest to expire first), so at the period's end
 * exactly the unused part leaves the balance as one `plan_expiry` ledger row. Purchased credit
 * never expires and is never touched by this.
 */
export const PLAN_CREDIT_SCHEMA = `
CREATE TABLE IF NOT EXISTS plan_grants (
  invoice_id TEXT PRIMARY KEY,
  period_end INTEGER NOT NULL,
  amount_nano INTEGER NOT NULL,
  remaining_nano INTEGER NOT NULL,
  expired_at INTEGER
);
CREATE INDEX IF NOT EXISTS plan_grants_open ON plan_grants (expired_at, period_end);
`;

interface GrantRow extends Row { invoice_id: string; period_end: number; remaining_nano: number }

export interface PlanGrant { invoiceId: string; periodEnd: number; creditNano: number; planId: string }
export interface PlanGrantResult { grantedNano: number; duplicate: boolean; expiredNano: number }

/** Called by ledger.post() for each usage charge: the charge uses up unexpired plan credit first. */
export function consumePlanCredit(sql: SqlStorage, kind: string, amountNano: number): void {
  if (kind !== "usage" || amountNano >= 0) return;
  let left = -amountNano;
  const open = sql.exec<GrantRow>("SELECT invoice_id, period_end, remaining_nano FROM plan_grants WHERE expired_at IS NULL AND remaining_nano > 0 ORDER BY period_end, invoice_id").toArray();
  for (const g of open) {
    if (left <= 0) break;
    const used = Math.min(left, g.remaining_nano);
    sql.exec("UPDATE plan_grants SET remaining_nano = remaining_nano - ? WHERE invoice_id = ?", used, g.invoice_id);
    left -= used;
  }
}

/**
 * Every grant whose period has ended gives back what is left of it (never more than the
 * balance holds): one `plan_expiry` row, ref `planexp:<invoice>`. Returns the amount expired.
 */
export function expirePlanCredit(sql: SqlStorage, userId: string, now: number): number {
  let total = 0;
  const due = sql.exec<GrantRow>("SELECT invoice_id, period_end, remaining_nano FROM plan_grants WHERE expired_at IS NULL AND period_end <= ? ORDER BY period_end", now).toArray();
  for (const g of due) {
    const amount = Math.min(g.remaining_nano, Math.max(0, balance(sql)));
    if (amount > 0) post(sql, userId, { kind: "plan_expiry", amountNano: nano(-amount), ref: `planexp:${g.invoice_id}`, note: "unused plan credit expired" }, now);
    sql.exec("UPDATE plan_grants SET remaining_nano = 0, expired_at = ? WHERE invoice_id = ?", now, g.invoice_id);
    total += amount;
  }
  return total;
}

/**
 * A paid invoice's plan credit, once per invoice id. An invoice in a period that already has
 * grants (an upgrade's prorated invoice) adds only what the new plan includes beyond them.
 * Grants past their period are expired first, and a late invoice whose period is over expires at once.
 */
export function grantPlanCredit(sql: SqlStorage, userId: string, g: PlanGrant, now: number): PlanGrantResult {
  if (num(sql, "SELECT count(*) FROM plan_grants WHERE invoice_id = ?", g.invoiceId) > 0) return { grantedNano: 0, duplicate: true, expiredNano: 0 };
  const already = num(sql, "SELECT coalesce(sum(amount_nano), 0) FROM plan_grants WHERE period_end = ?", g.periodEnd);
  const amount = Math.max(0, g.creditNano - already);
  if (amount > 0) post(sql, userId, { kind: "plan_credit", amountNano: nano(amount), ref: `plancredit:${g.invoiceId}`, note: `plan ${g.planId}` }, now);
  sql.exec("INSERT INTO plan_grants (invoice_id, period_end, amount_nano, remaining_nano) VALUES (?, ?, ?, ?)", g.invoiceId, g.periodEnd, amount, amount);
  return { grantedNano: amount, duplicate: false, expiredNano: expirePlanCredit(sql, userId, now) };
}

/** The earliest end of an unexpired grant's period (the alarm wakes then), or null. */
export function nextPlanExpiry(sql: SqlStorage): number | null {
  const t = num(sql, "SELECT coalesce(min(period_end), 0) FROM plan_grants WHERE expired_at IS NULL");
  return t || null;
}
