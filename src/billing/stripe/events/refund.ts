import type Stripe from "stripe";
import type { Env } from "../../../env";
import { idOf, routeFact } from "./facts";

/**
 * charge.refunded: amount_refunded is the charge's cumulative refunded amount. Refund ids are used
 * when the event carries them (charge.refunds is not expanded by default since API 2022-11-15),
 * so refunds the operator path already debited are recognised by id; without them the cumulative
 * total alone decides, which never debits more than Stripe refunded (docs/billing.md).
 */
export async function onChargeRefunded(env: Env, eventId: string, charge: Stripe.Charge): Promise<string> {
  const payment = idOf(charge.payment_intent) ?? charge.id;
  const refunds = (charge.refunds?.data ?? [])
    .filter((r) => r.status === "succeeded" || r.status === "pending")
    .map((r) => ({ id: r.id, amountCents: r.amount }));
  return routeFact(env, eventId, { type: "refund", payment, charge: charge.id, cumulativeCents: charge.amount_refunded, refunds });
}
