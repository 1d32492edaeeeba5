import { Hono } from "hono";
import type { BaseEnv } from "../../env";
import { limitBody, requireJson } from "../../middleware/body-limit";
import { csrfProtection } from "../../middleware/csrf";
import { sessionAuth, type SessionEnv } from "../../middleware/session";
import { billingAutoTopup } from "./auto-topup";
import { billingBalanceHistory } from "./balance-history";
import { billingLowBalance } from "./low-balance";
import { billingPlans } from "./plans";
import { billingReceipts } from "./receipts";
import { billingRedeem } from "./redeem";
import { billingTransactions } from "./transactions";
import { billingRefunds } from "./refunds";
import { billingTopups } from "./topups";
import { billingWebhook } from "./webhook";

/** Top-ups, balance history and refunds at /api/billing (session), and Stripe's webhook. */
export function billingApi() {
  const api = new Hono<BaseEnv>();
  // Stripe's webhook (signed raw body, no session) is registered on `api` here, before the session routes.
  api.route("/", billingWebhook);
  const session = new Hono<SessionEnv>();
  session.use(csrfProtection(), sessionAuth(), limitBody(), requireJson());
  // Session routes are added to `session` here: app.route() copies routes at call time.
  session.route("/", billingTransactions);
  session.route("/", billingBalanceHistory);
  session.route("/", billingLowBalance);
  session.route("/", billingTopups);
  session.route("/", billingRefunds);
  session.route("/", billingRedeem);
  session.route("/", billingAutoTopup);
  session.route("/", billingPlans);
  session.route("/", billingReceipts);
  api.route("/", session);
  return api;
}
