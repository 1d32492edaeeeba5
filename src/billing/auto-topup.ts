import type { AutoTopupState } from "../account/auto-topup";
import { accountStub } from "../account/client";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { formatUsd, type Nano } from "../lib/money";
import { isWholeCents, topupConfig } from "./topup-config";

/**
 * The sentence a user confirms to turn auto top-up on (P7: explicit opt-in). It names the amount,
 * the threshold and the monthly cap, so agreeing to it is agreeing to exactly these figures.
 */
export const confirmationText = (amountNano: Nano, thresholdNano: Nano, capNano: Nano) =>
  `Charge my saved card ${formatUsd(amountNano)} USD whenever my balance falls below ${formatUsd(thresholdNano)} USD, at most ${formatUsd(capNano)} USD per calendar month.`;

export interface OptIn { thresholdNano: Nano; amountNano: Nano; monthlyCapNano: Nano; confirmation: string }

/**
 * Turns auto top-up on after checking the figures (whole cents, within the top-up bounds, a cap
 * of at least one charge), the confirmation sentence, and that a card is saved.
 */
export async function enableAutoTopup(env: Env, userId: string, o: OptIn): Promise<AutoTopupState> {
  const cfg = topupConfig(env);
  if (!isWholeCents(o.amountNano) || o.amountNano < cfg.minNano || o.amountNano > cfg.maxNano) {
    throw new ApiError(400, "invalid_amount", `amount_usd must be whole cents between ${formatUsd(cfg.minNano)} and ${formatUsd(cfg.maxNano)}.`, { param: "amount_usd" });
  }
  if (!isWholeCents(o.monthlyCapNano) || o.monthlyCapNano < o.amountNano) throw new ApiError(400, "invalid_cap", "monthly_cap_usd must be whole cents and at least amount_usd.", { param: "monthly_cap_usd" });
  const expected = confirmationText(o.amountNano, o.thresholdNano, o.monthlyCapNano);
  if (o.confirmation !== expected) throw new ApiError(400, "confirmation_required", `To turn on auto top-up, send confirmation: "${expected}"`, { param: "confirmation" });
  const pm = await env.DB.prepare("SELECT customer_id, payment_method_id FROM payment_methods WHERE user_id = ?").bind(userId).first<{ customer_id: string; payment_method_id: string }>();
  if (!pm) throw new ApiError(409, "no_saved_payment_method", "Save a card first: auto top-up charges a saved payment method.");
  return accountStub(env, userId).setAutoTopup(userId, {
    thresholdNano: o.thresholdNano, amountNano: o.amountNano, monthlyCapNano: o.monthlyCapNano, customerId: pm.customer_id, paymentMethodId: pm.payment_method_id,
  });
}

export async function autoTopupView(env: Env, userId: string, state: AutoTopupState) {
  const pm = await env.DB.prepare("SELECT brand, last4 FROM payment_methods WHERE user_id = ?").bind(userId).first<{ brand: string | null; last4: string | null }>();
  return {
    enabled: state.enabled, threshold_usd: formatUsd(state.thresholdNano), amount_usd: formatUsd(state.amountNano), monthly_cap_usd: formatUsd(state.monthlyCapNano),
    charged_this_month_usd: formatUsd(state.chargedThisMonthNano), disabled_reason: state.disabledReason,
    payment_method: pm ? { brand: pm.brand, last4: pm.last4 } : null,
  };
}
