import { z } from "zod";
import { int } from "../config";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { formatUsd, parseUsd, type Nano } from "../lib/money";

const CENT_NANO = 10_000_000;

/** Top-up bounds and presets (TOPUP_MIN_USD, TOPUP_MAX_USD, TOPUP_PRESETS_USD), in nUSD, whole cents. */
export interface TopupConfig {
  minNano: Nano;
  maxNano: Nano;
  presetsNano: Nano[];
  /** Days after a purchase in which its unused part may be refunded (REFUND_WINDOW_DAYS). */
  refundWindowDays: number;
}

function usd(value: string | undefined, fallback: Nano): Nano {
  const n = value ? parseUsd(value) : null;
  return n !== null && n > 0 && n % CENT_NANO === 0 ? n : fallback;
}

export function topupConfig(env: Env): TopupConfig {
  const minNano = usd(env.TOPUP_MIN_USD, 5_000_000_000);
  const maxNano = Math.max(minNano, usd(env.TOPUP_MAX_USD, 1_000_000_000_000));
  const presets = (env.TOPUP_PRESETS_USD || "5,10,25,50,100").split(",").map((p) => usd(p.trim(), 0))
    .filter((n) => n >= minNano && n <= maxNano);
  return {
    minNano, maxNano, presetsNano: [...new Set(presets)].sort((a, b) => a - b),
    refundWindowDays: int(env.REFUND_WINDOW_DAYS, 30, 0),
  };
}

/** nUSD → Stripe's integer cents (amounts here are whole cents by construction). */
export const toCents = (nano: Nano): number => Math.floor(nano / CENT_NANO);
export const fromCents = (cents: number): Nano => cents * CENT_NANO;
export const isWholeCents = (nano: Nano): boolean => nano % CENT_NANO === 0;

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
