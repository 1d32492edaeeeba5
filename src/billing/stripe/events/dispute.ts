import type Stripe from "stripe";
import type { Env } from "../../../env";
import { idOf, routeFact } from "./facts";

/**
 * charge.dispute.created opens a dispute (the account is "disputed": API calls are refused with
 * 403 account_disputed); charge.dispute.closed with status "lost" takes the disputed amount back,
 * any other final status (won, warning_closed) only closes it. See docs/billing.md, "Disputes".
 */
export async function onDispute(env: Env, eventId: string, type: string, dispute: Stripe.Dispute): Promise<string> {
  const payment = idOf(dispute.payment_intent) ?? idOf(dispute.charge);
  if (!payment) return "ignored";
  const state = type === "charge.dispute.created" ? "open" : dispute.status === "lost" ? "lost" : "won";
  return routeFact(env, eventId, { type: "dispute", payment, dispute: dispute.id, state, amountCents: dispute.amount });
}
