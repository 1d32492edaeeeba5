import { Hono } from "hono";
import { z } from "zod";
import { appOrigin } from "../../auth/config";
import { formatUsd } from "../../lib/money";
import { findWalletCheckout, startCheckout } from "../../billing/stripe/checkout";
import { requireStripe, stripeClient } from "../../billing/stripe/client";
import { checkedTopupAmount, checkoutBody, topupConfig, topupConfigView } from "../../billing/topup-config";
import type { Env } from "../../env";
import { ApiError } from "../../errors";
import { requireVerifiedEmail, type SessionEnv } from "../../middleware/session";
import { validate } from "../../middleware/validate";

/** GET /config, POST /checkout and GET /checkout/:id (docs/api.md, docs/billing.md "Top-up flow"). */
export const billingTopups = new Hono<SessionEnv>()
  .get("/config", (c) => c.json(topupConfigView(topupConfig(c.env), stripeClient(c.env) !== null)))
  .post("/checkout", requireVerifiedEmail(), validate("json", checkoutBody), async (c) => {
    const stripe = requireStripe(c.env);
    const amount = checkedTopupAmount(topupConfig(c.env), c.req.valid("json").amount_usd);
    const user = c.get("user");
    const { checkoutId, url } = await startCheckout(c.env, stripe, user, amount, appOrigin(c.env, c.req.url));
    return c.json({ checkout_id: checkoutId, url });
  })
  .get("/checkout/:id", validate("param", z.object({ id: z.string().regex(/^cs_[\w]{1,200}$/, "a checkout id") })), async (c) => {
    // Only our own record, written by the webhook: the success page shows progress, it never fulfils.
    const row = await findWalletCheckout(c.env, c.req.valid("param").id, c.get("user").id);
    if (!row) throw new ApiError(404, "checkout_not_found", "No such checkout for this account.", { param: "id" });
    return c.json({ status: row.status, amount_usd: formatUsd(row.amount_cents * 10_000_000) });
  });
