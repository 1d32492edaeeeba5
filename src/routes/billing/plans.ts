import { Hono } from "hono";
import { z } from "zod";
import { appOrigin } from "../../auth/config";
import { planJson, startSubscription, subscriptionJson, type PlanRow, type SubscriptionRow } from "../../billing/plans";
import { requireStripe } from "../../billing/stripe/client";
import { requireVerifiedEmail, type SessionEnv } from "../../middleware/session";
import { validate } from "../../middleware/validate";

/** GET /plans (the operator's active plans), GET /subscription (the user's, with payment failures), POST /subscribe { plan_id } (Stripe Checkout). */
export const billingPlans = new Hono<SessionEnv>()
  .get("/plans", async (c) => {
    const { results } = await c.env.DB.prepare("SELECT * FROM plans WHERE active = 1 ORDER BY price_cents").all<PlanRow>();
    return c.json({ data: results.map(planJson) });
  })
  .get("/subscription", async (c) => {
    const row = await c.env.DB.prepare("SELECT * FROM subscriptions WHERE user_id = ? ORDER BY (status = 'canceled'), event_at DESC LIMIT 1").bind(c.get("user").id).first<SubscriptionRow>();
    return c.json({ subscription: row ? subscriptionJson(row) : null });
  })
  .post("/subscribe", requireVerifiedEmail(), validate("json", z.strictObject({ plan_id: z.string().min(1).max(64) })), async (c) => {
    const stripe = requireStripe(c.env);
    const started = await startSubscription(c.env, stripe, c.get("user"), c.req.valid("json").plan_id, appOrigin(c.env, c.req.url));
    return c.json({ checkout_id: started.checkoutId, url: started.url });
  });
