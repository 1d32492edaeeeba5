import { accountStub } from "../account/client";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { nano, formatUsd, type Nano } from "../lib/money";

/** A code as the user may type it: letters, digits and dashes, any case, surrounding spaces ignored. */
export const CODE_PATTERN = /^[A-Za-z0-9-]{4,32}$/;
export const normalizeCode = (code: string) => code.trim().toUpperCase();

export interface Redeemed { code: string; amountNano: Nano; balanceAfterNano: Nano; transactionId: string; replayed: boolean }

/**
 * One statement decides a redemption: the row is inserted only if the code exists, is not
 * expired and has fewer redemptions than its cap, and (code, user) is the primary key. D1 runs
 * statements one at a time, so 20 concurrent redemptions cannot pass the cap together, and one
 * account can hold one row per code. The counter on promo_codes follows in the same batch.
 */
const CLAIM = `INSERT OR IGNORE INTO promo_redemptions (code, user_id, amount_nano, redeemed_at)
  SELECT c.code, ?, c.amount_nano, ? FROM promo_codes c
  WHERE c.code = ? AND (c.expires_at IS NULL OR c.expires_at > ?)
    AND (SELECT count(*) FROM promo_redemptions r WHERE r.code = c.code) < c.max_uses`;
const COUNT = "UPDATE promo_codes SET uses = (SELECT count(*) FROM promo_redemptions r WHERE r.code = promo_codes.code) WHERE code = ?";

async function refusal(env: Env, code: string, now: number): Promise<ApiError> {
  const row = await env.DB.prepare("SELECT max_uses, uses, expires_at FROM promo_codes WHERE code = ?").bind(code).first<{ max_uses: number; uses: number; expires_at: number | null }>();
  if (!row) return new ApiError(404, "code_not_found", "No such redemption code.", { param: "code" });
  if (row.expires_at !== null && row.expires_at <= now) return new ApiError(410, "code_expired", "This redemption code has expired.", { param: "code" });
  return new ApiError(409, "code_used_up", "This redemption code has been used the maximum number of times.", { param: "code" });
}

/**
 * Redeems a code for a user: the claim in D1, then the credit in the wallet (ledger kind `promo`,
 * ref `promo:<code>`, unique per wallet). A repeated redemption by the same account finds its
 * claim and posts the credit again, which the ledger answers with the first entry: a crash between
 * the two steps is repaired by retrying, and nothing is ever credited twice.
 */
export async function redeemCode(env: Env, userId: string, typed: string, now = Date.now()): Promise<Redeemed> {
  const code = normalizeCode(typed);
  const [claim] = await env.DB.batch([env.DB.prepare(CLAIM).bind(userId, now, code, now), env.DB.prepare(COUNT).bind(code)]);
  const fresh = (claim?.meta.changes ?? 0) > 0;
  const mine = await env.DB.prepare("SELECT amount_nano FROM promo_redemptions WHERE code = ? AND user_id = ?").bind(code, userId).first<{ amount_nano: number }>();
  if (!mine) throw await refusal(env, code, now);
  const result = await accountStub(env, userId).credit(userId, { kind: "promo", amountNano: mine.amount_nano, ref: `promo:${code}`, note: `redemption code ${code}` });
  if (!result.ok) {
    // Over the balance limit: give the use back so the code is not spent without credit.
    if (fresh) await env.DB.batch([env.DB.prepare("DELETE FROM promo_redemptions WHERE code = ? AND user_id = ?").bind(code, userId), env.DB.prepare(COUNT).bind(code)]);
    throw new ApiError(400, result.code, "This credit would take the balance over its limit.", { param: "code" });
  }
  return { code, amountNano: nano(mine.amount_nano), balanceAfterNano: result.entry.balanceAfterNano, transactionId: result.entry.id, replayed: !fresh || result.duplicate };
}

export const redeemedJson = (r: Redeemed) => ({
  code: r.code, amount_usd: formatUsd(r.amountNano), balance_usd: formatUsd(r.balanceAfterNano), transaction_id: r.transactionId, replayed: r.replayed,
});

export interface PromoCodeRow { code: string; amount_nano: number; max_uses: number; uses: number; expires_at: number | null; note: string | null; created_at: number }

/** Adds a redemption code (uses = 0); answers false when the code exists (nothing written). */
export async function insertPromoCode(env: Env, row: PromoCodeRow): Promise<boolean> {
  const res = await env.DB.prepare("INSERT OR IGNORE INTO promo_codes (code, amount_nano, max_uses, uses, expires_at, note, created_at) VALUES (?, ?, ?, 0, ?, ?, ?)")
    .bind(row.code, row.amount_nano, row.max_uses, row.expires_at, row.note, row.created_at).run();
  return res.meta.changes > 0;
}

/** The 200 newest codes with their uses. */
export async function listPromoCodes(env: Env): Promise<PromoCodeRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM promo_codes ORDER BY created_at DESC LIMIT 200").all<PromoCodeRow>();
  return results;
}
