import { Hono } from "hono";
import { z } from "zod";
import { CODE_PATTERN, redeemCode, redeemedJson } from "../../billing/promo";
import { validate } from "../../middleware/validate";
import type { SessionEnv } from "../../middleware/session";

const body = z.strictObject({ code: z.string().trim().regex(CODE_PATTERN, "4-32 letters, digits or dashes") });

/**
 * POST /redeem { code }: adds a redemption code's promotional credit to the balance, once per
 * account (src/billing/promo.ts). 201 the first time, 200 with `replayed: true` after that.
 */
export const billingRedeem = new Hono<SessionEnv>().post("/redeem", validate("json", body), async (c) => {
  const redeemed = await redeemCode(c.env, c.get("user").id, c.req.valid("json").code);
  return c.json(redeemedJson(redeemed), redeemed.replayed ? 200 : 201);
});
