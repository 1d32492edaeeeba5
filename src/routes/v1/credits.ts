import { Hono } from "hono";
import { formatUsd, usdJsonNumber } from "../../lib/money";
import { accountStub } from "../../account/client";
import { verifiedKey } from "../../middleware/verified-key";
import type { ApiKeyEnv } from "../../middleware/api-key";

/** GET /credits (OpenRouter's shape, plus the balance) and GET /key (the calling key and its limits). */
export const credits = new Hono<ApiKeyEnv>()
  .get("/credits", verifiedKey(), async (c) => {
    const s = await accountStub(c.env, c.get("caller").userId).summary();
    return c.json({
      data: {
        total_credits: usdJsonNumber(s.creditsNano),
        total_usage: usdJsonNumber(s.usageNano),
        balance: usdJsonNumber(s.balanceNano),
        reserved: usdJsonNumber(s.holdsNano),
        balance_usd: formatUsd(s.balanceNano),
      },
    });
  })
  .get("/key", verifiedKey(), (c) => {
    const k = c.get("key");
    const usage = k.spentNano;
    return c.json({
      data: {
        id: k.id,
        label: k.name,
        prefix: k.prefix,
        last4: k.last4,
        usage: usdJsonNumber(usage),
        limit: k.spendLimitNano === null ? null : usdJsonNumber(k.spendLimitNano),
        // The limit applies per period (daily, weekly, monthly or total): what is left of this one.
        limit_remaining: k.spendLimitNano === null ? null : usdJsonNumber(Math.max(0, k.spendLimitNano - k.periodSpentNano)),
        limit_period: k.spendLimitPeriod,
        is_free_tier: false,
        rate_limit: { requests: k.rpm, tokens: k.tpm, interval: "1m" },
        max_concurrency: k.maxConcurrency,
        models: k.models,
        expires_at: k.expiresAt === null ? null : new Date(k.expiresAt).toISOString(),
        created_at: new Date(k.createdAt).toISOString(),
        last_used_at: k.lastUsedAt === null ? null : new Date(k.lastUsedAt).toISOString(),
      },
    });
  });
