import type Stripe from "stripe";
import type { Env } from "../../../env";

/**
 * payment_method.attached: a card saved to a customer of ours becomes the user's saved payment
 * method (ids, brand, last 4). It is only used once the user opts in to auto top-up. A customer
 * we do not know is ignored.
 */
export async function onPaymentMethodAttached(env: Env, pm: Stripe.PaymentMethod, now = Date.now()): Promise<string> {
  const customer = typeof pm.customer === "string" ? pm.customer : pm.customer?.id;
  if (!customer) return "ignored";
  const user = await env.DB.prepare("SELECT id FROM users WHERE stripe_customer_id = ?").bind(customer).first<{ id: string }>();
  if (!user) return "ignored";
  await env.DB.prepare(`INSERT INTO payment_methods (user_id, customer_id, payment_method_id, brand, last4, updated_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (user_id) DO UPDATE SET customer_id = excluded.customer_id, payment_method_id = excluded.payment_method_id,
    brand = excluded.brand, last4 = excluded.last4, updated_at = excluded.updated_at WHERE excluded.updated_at >= payment_methods.updated_at`)
    .bind(user.id, customer, pm.id, pm.card?.brand ?? null, pm.card?.last4 ?? null, (pm.created ?? Math.floor(now / 1000)) * 1000).run();
  return "payment_method_saved";
}
