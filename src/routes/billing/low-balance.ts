import { Hono } from "hono";
import { z } from "zod";
import { MAX_BALANCE_NANO } from "../../account/ledger";
import { parseUsd } from "../../lib/money";
import { setLowBalanceThreshold } from "../../auth/users";
import { accountStub } from "../../account/client";
import { validate } from "../../middleware/validate";
import type { SessionEnv } from "../../middleware/session";

const body = z.strictObject({
  threshold_usd: z.string().regex(/^\d{1,7}(\.\d{1,9})?$/, "a non-negative USD decimal string such as \"5.00\"")
    .refine((v) => (parseUsd(v) ?? Infinity) <= MAX_BALANCE_NANO, "at most 1000000.00").nullable(),
});

/**
 * PUT /low-balance: sets (or with null, clears) the balance below which one email is sent per
 * crossing (P25). The Durable Object gets it first, since it detects the crossing; D1 keeps the
 * copy the dashboard reads. A failure in between is repaired by repeating the request.
 */
export const billingLowBalance = new Hono<SessionEnv>().put("/low-balance", validate("json", body), async (c) => {
  const { threshold_usd } = c.req.valid("json");
  const threshold = threshold_usd === null ? null : parseUsd(threshold_usd);
  const userId = c.get("user").id;
  await accountStub(c.env, userId).setLowBalanceThreshold(threshold);
  await setLowBalanceThreshold(c.env, userId, threshold);
  return c.body(null, 204);
});
