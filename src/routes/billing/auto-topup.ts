import { Hono } from "hono";
import { z } from "zod";
import { accountStub } from "../../account/client";
import { MAX_BALANCE_NANO } from "../../account/ledger";
import { autoTopupView, enableAutoTopup } from "../../billing/auto-topup";
import { parseUsd } from "../../lib/money";
import { validate } from "../../middleware/validate";
import type { SessionEnv } from "../../middleware/session";

const usd = z.string().regex(/^\d{1,7}(\.\d{1,9})?$/, "a USD decimal string such as \"5.00\"").refine((v) => (parseUsd(v) ?? Infinity) <= MAX_BALANCE_NANO, "at most 1000000.00");
const body = z.discriminatedUnion("enabled", [
  z.strictObject({ enabled: z.literal(false) }),
  z.strictObject({ enabled: z.literal(true), threshold_usd: usd, amount_usd: usd, monthly_cap_usd: usd, confirmation: z.string().max(300) }),
]);

/**
 * GET /auto-topup: the settings, this month's charges and the saved card (brand, last 4).
 * PUT /auto-topup: `{ enabled: false }` turns it off; turning it on needs the figures and the
 * confirmation sentence that names them (src/billing/auto-topup.ts). Off by default (P7).
 */
export const billingAutoTopup = new Hono<SessionEnv>()
  .get("/auto-topup", async (c) => {
    const userId = c.get("user").id;
    return c.json(await autoTopupView(c.env, userId, await accountStub(c.env, userId).autoTopup()));
  })
  .put("/auto-topup", validate("json", body), async (c) => {
    const b = c.req.valid("json");
    const userId = c.get("user").id;
    const state = b.enabled
      ? await enableAutoTopup(c.env, userId, { thresholdNano: parseUsd(b.threshold_usd)!, amountNano: parseUsd(b.amount_usd)!, monthlyCapNano: parseUsd(b.monthly_cap_usd)!, confirmation: b.confirmation })
      : await accountStub(c.env, userId).setAutoTopup(userId, null);
    return c.json(await autoTopupView(c.env, userId, state));
  });
