import { Hono } from "hono";
import { handleEvent, verifyEvent } from "../../billing/stripe/webhook";
import type { BaseEnv } from "../../env";
import { limitBody } from "../../middleware/body-limit";

/**
 * POST /webhook: Stripe's signed events. No session and no CSRF (Stripe is the caller); the
 * signature over the raw body is the authentication, so the body is read as text and verified
 * before anything is parsed or written. 400 for a bad signature, 200 once handled.
 */
export const billingWebhook = new Hono<BaseEnv>().post("/webhook", limitBody(), async (c) => {
  const raw = await c.req.text();
  const event = await verifyEvent(c.env, raw, c.req.header("stripe-signature"));
  const { outcome, duplicate } = await handleEvent(c.env, event);
  return c.json({ received: true, outcome, duplicate });
});
