import { Hono } from "hono";
import { z } from "zod";
import { formatUsd, parseUsd } from "../../lib/money";
import { listRefunds, refundable, refundView, requestRefund } from "../../billing/refunds";
import { ApiError } from "../../errors";
import { validate } from "../../middleware/validate";
import type { SessionEnv } from "../../middleware/session";

const body = z.strictObject({
  amount_usd: z.string().max(20).optional(),
  reason: z.string().trim().max(500).optional(),
});

/** GET /refunds (own requests and what is refundable now) and POST /refunds (docs/billing.md, "Refunds"). */
export const billingRefunds = new Hono<SessionEnv>()
  .get("/refunds", async (c) => {
    const userId = c.get("user").id;
    const [rows, { refundableNano }] = await Promise.all([listRefunds(c.env, userId), refundable(c.env, userId)]);
    return c.json({ data: rows.map(refundView), refundable_usd: formatUsd(refundableNano) });
  })
  .post("/refunds", validate("json", body), async (c) => {
    const { amount_usd, reason } = c.req.valid("json");
    const amount = amount_usd === undefined ? null : parseUsd(amount_usd);
    if (amount_usd !== undefined && amount === null) throw new ApiError(400, "invalid_amount", "amount_usd must be a USD decimal string such as \"12.50\".", { param: "amount_usd" });
    const row = await requestRefund(c.env, c.get("user").id, { amountNano: amount, reason: reason || null });
    return c.json(refundView(row), 201);
  });
