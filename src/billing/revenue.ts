import type { Env } from "../env";

/** One kind's signed total in nano-USD: `purchase`, `refund`, `dispute`, `waiver` (from transactions) or `usage` (from usage_statements). */
export interface RevenueTotal { kind: string; total: number }

/**
 * The revenue report's sums over [from, to): D1's copy of the ledgers (`transactions`) per money
 * kind — `waiver` rows count their waived amount — and the usage charged from the daily charge
 * statements (`usage_statements`), by whole UTC days from `from`'s to the one before `to`.
 */
export async function revenueTotals(env: Env, from: number, to: number): Promise<RevenueTotal[]> {
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  const [ledger, statements] = await env.DB.batch<RevenueTotal>([
    env.DB.prepare(
      "SELECT kind, coalesce(sum(CASE kind WHEN 'waiver' THEN waived_nano ELSE amount_nano END), 0) AS total FROM transactions WHERE created_at >= ? AND created_at < ? AND kind IN ('purchase', 'refund', 'dispute', 'waiver') GROUP BY kind",
    ).bind(from, to),
    env.DB.prepare("SELECT 'usage' AS kind, coalesce(sum(charged_nano), 0) AS total FROM usage_statements WHERE day >= ? AND day <= ?").bind(day(from), day(to - 1)),
  ]);
  return [...ledger!.results, ...statements!.results];
}
