import { z } from "zod";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { formatUsd, nano, parseUsd, type Nano } from "../lib/money";
import { settings } from "../lib/settings";

const CENT_NANO = 10_000_000;

/** Top-up bounds and presets (TOPUP_MIN_USD, TOPUP_MAX_USD, TOPUP_PRESETS_USD), in nUSD, whole cents. */
export interface TopupConfig {
  minNano: Nano;
  maxNano: Nano;
  presetsNano: Nano[];
  /** Days after a purchase in which its unused part may be refunded (REFUND_WINDOW_DAYS). */
  refundWindowDays: number;
}

/** The top-up settings (src/settings.ts): presets outside the bounds are dropped, the maximum is at least the minimum. */
export function topupConfig(env: Env): TopupConfig {
  const s = settings(env);
  const minNano = s.TOPUP_MIN_USD;
  const maxNano = nano(Math.max(minNano, s.TOPUP_MAX_USD));
  const presets = s.TOPUP_PRESETS_USD.filter((n): n is Nano => n !== null && n >= minNano && n <= maxNano);
  return { minNano, maxNano, presetsNano: [...new Set(presets)].sort((a, b) => a - b), refundWindowDays: s.REFUND_WINDOW_DAYS };
}

/** nUSD → Stripe's integer cents (amounts here are whole cents by construction). */
export const toCents = (amount: Nano | number): number => Math.floor(amount / CENT_NANO);
export const fromCents = (cents: number): Nano => nano(cents * CENT_NANO);
export const isWholeCents = (amount: Nano | number): boolean => amount % CENT_NANO === 0;

/** A checkout's `amount_usd`: a USD decimal string or a number (liberal in what we accept; the check below is exact). */
export const checkoutBody = z.strictObject({
  amount_usd: z.union([z.string().max(20), z.number().positive().max(1e9)]).transform(String),
});

/** The amount rules of every top-up checkout (personal or an organization's): whole cents within the bounds, or 400 invalid_amount. */
export function checkedTopupAmount(cfg: TopupConfig, amountUsd: string): Nano {
  const amount = parseUsd(amountUsd);
  if (amount === null || !isWholeCents(amount) || amount < cfg.minNano || amount > cfg.maxNano) {
    throw new ApiError(400, "invalid_amount", `amount_usd must be between ${formatUsd(cfg.minNano)} and ${formatUsd(cfg.maxNano)} USD, in whole cents.`, { param: "amount_usd" });
  }
  return amount;
}

export function topupConfigView(cfg: TopupConfig, enabled: boolean) {
  return {
    enabled, currency: "usd", min_usd: formatUsd(cfg.minNano), max_usd: formatUsd(cfg.maxNano),
    presets_usd: cfg.presetsNano.map(formatUsd), refund_window_days: cfg.refundWindowDays,
  };
}
