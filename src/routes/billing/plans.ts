import { Hono } from "hono";
import { z } from "zod";
import { appOrigin } from "../../auth/config";
import { latestSubscription, listActivePlans, planJson, startSubscription, subscriptionJson } from "../../billing/plans";
import { requireStripe } from "../../billing/stripe/client";
import { changePlan, setCancelAtPeriodEnd } from "../../billing/subscription-changes";
import { requireVerifiedEmail, type SessionEnv } from "../../middleware/session";
import { validate } from "../../middleware/validate";

const planBody = z.strictObject({ plan_id: z.string().min(1).max(64) });
const noBody = z.strictObject({});

/**
 * GET /plans (the operator's active plans), GET /subscription (the user's, with payment failures),
 * POST /subscribe { plan_id } (Stripe Checkout), and on the caller's own live subscription:
 * POST /subscription/cancel (at period end), /subscription/resume, /subscription/change { plan_id }.
 * Those three ask Stripe; the stored subscription changes when the webhook reports it (202).
 */
export const billingPlans = new Hono<SessionEnv>()
  .get("/plans", async (c) => {
    return c.json({ data: (await listActivePlans(c.env)).map(planJson) });
  })
  .get("/subscription", async (c) => {
    const row = await latestSubscription(c.env, c.get("user").id);
    return c.json({ subscription: row ? subscriptionJson(row) : null });
  })
  .post("/subscribe", requireVerifiedEmail(), validate("json", planBody), async (c) => {
    const stripe = requireStripe(c.env);
    const started = await startSubscription(c.env, stripe, c.get("user"), c.req.valid("json").plan_id, appOrigin(c.env, c.req.url));
    return c.json({ checkout_id: started.checkoutId, url: started.url });
  })
  .post("/subscription/cancel", validate("json", noBody), async (c) => {
    const result = await setCancelAtPeriodEnd(c.env, requireStripe(c.env), c.get("user").id, true);
    return c.json({ subscription: result }, 202);
  })
  .post("/subscription/resume", validate("json", noBody), async (c) => {
    const result = await setCancelAtPeriodEnd(c.env, requireStripe(c.env), c.get("user").id, false);
    return c.json({ subscription: result }, 202);
  })
  .post("/subscription/change", requireVerifiedEmail(), validate("json", planBody), async (c) => {
    const result = await changePlan(c.env, requireStripe(c.env), c.get("user").id, c.req.valid("json").plan_id);
    return c.json({ subscription: result }, 202);
  });
