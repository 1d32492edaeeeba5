import { periodEnd } from "../account/periods";
import type { KeyInfo } from "../account/types";
import { formatUsd } from "../lib/money";

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** The "key" object of docs/api.md. Never the key itself: only its prefix and last 4 characters. */
export function keyView(k: KeyInfo, now = Date.now()) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    last4: k.last4,
    created_at: iso(k.createdAt),
    last_used_at: iso(k.lastUsedAt),
    revoked_at: iso(k.revokedAt),
    expires_at: iso(k.expiresAt),
    rpm: k.rpm,
    tpm: k.tpm,
    max_concurrency: k.maxConcurrency,
    spend_limit_usd: k.spendLimitNano === null ? null : formatUsd(k.spendLimitNano),
    spend_limit_period: k.spendLimitPeriod,
    spent_usd: formatUsd(k.spentNano),
    period_spent_usd: formatUsd(k.periodSpentNano),
    period_resets_at: iso(periodEnd(k.spendLimitPeriod, now)),
    models: k.models,
  };
}

export type KeyView = ReturnType<typeof keyView>;
