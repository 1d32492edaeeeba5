import { Hono } from "hono";
import { authConfig } from "../../auth/config";
import { formatUsd } from "../../lib/money";
import { topupConfig } from "../../billing/topup-config";
import { config } from "../../config";
import type { BaseEnv } from "../../env";

const DAY_MS = 86_400_000;

/**
 * GET /policy — the figures the Privacy Policy and Terms quote, read from the running configuration,
 * so the published text cannot drift from what the retention job and billing actually do.
 */
export const policy = new Hono<BaseEnv>().get("/policy", (c) => {
  const auth = authConfig(c.env);
  const days = (ms: number) => Math.round(ms / DAY_MS);
  c.header("cache-control", "public, max-age=300");
  return c.json({
    terms_version: auth.termsVersion,
    retention_days: {
      usage: days(auth.retention.usageMs),
      security: days(auth.retention.securityMs),
      transactions: days(auth.retention.transactionsMs),
      unverified: days(auth.retention.unverifiedMs),
      deleted: days(auth.retention.deletedMs),
    },
    refund_window_days: topupConfig(c.env).refundWindowDays,
    overdraft_usd: formatUsd(config(c.env).overdraftNano),
    session_ttl_hours: Math.round(auth.sessionTtlSeconds / 3600),
  });
});
