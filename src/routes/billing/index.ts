import { Hono } from "hono";
import type { Env } from "../../env";
import { limitBody, requireJson } from "../../middleware/body-limit";
import { csrfProtection } from "../../middleware/csrf";
import { sessionAuth } from "../../middleware/session";

/** Top-ups, balance history and refunds at /api/billing (session), and Stripe's webhook. */
export function billingApi() {
  const api = new Hono<{ Bindings: Env }>();
  // Stripe's webhook (signed raw body, no session) is registered on `api` here, before the session routes.
  const session = new Hono<{ Bindings: Env }>();
  session.use(csrfProtection(), sessionAuth(), limitBody(), requireJson());
  // Session routes are added to `session` here: app.route() copies routes at call time.
  api.route("/", session);
  return api;
}
