import { env } from "cloudflare:test";
import { expect } from "vitest";
import { account } from "../helpers/gateway";
import type { SessionUser } from "../helpers/session";
import { deliver, uid } from "./stripe-helpers";

/** Gives the user a Stripe customer and a saved card, as a `payment_method.attached` event does. */
export async function saveCard(user: SessionUser, pm = uid("pm"), last4 = "4242"): Promise<{ customer: string; pm: string }> {
  const customer = uid("cus");
  await env.DB.prepare("UPDATE users SET stripe_customer_id = ? WHERE id = ?").bind(customer, user.userId).run();
  const status = await deliver({
    id: uid("evt"), type: "payment_method.attached",
    object: { id: pm, object: "payment_method", customer, type: "card", card: { brand: "visa", last4, exp_month: 12, exp_year: 2030 }, created: Math.floor(Date.now() / 1000) },
  });
  expect(status).toBe(200);
  return { customer, pm };
}

export const sentence = (amount: string, threshold: string, cap: string) =>
  `Charge my saved card ${amount} USD whenever my balance falls below ${threshold} USD, at most ${cap} USD per calendar month.`;

/** Opts in with the exact confirmation sentence. */
export async function optIn(user: SessionUser, threshold: string, amount: string, cap: string) {
  const res = await user.fetch("/api/billing/auto-topup", {
    method: "PUT", json: { enabled: true, threshold_usd: threshold, amount_usd: amount, monthly_cap_usd: cap, confirmation: sentence(amount, threshold, cap) },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { enabled: boolean; payment_method: { brand: string; last4: string } | null };
}

/** PaymentIntents the Stripe stand-in created for this user. */
export async function chargesFor(userId: string) {
  const stats = (await (await fetch(`${env.STRIPE_API_BASE}/__stats`)).json()) as { payment_intents: { id: string; amount: number; off_session: boolean; metadata: Record<string, string> }[] };
  return stats.payment_intents.filter((p) => p.metadata.user_id === userId);
}

/** Moves the balance by an operator adjustment (one ledger row). */
export async function adjust(userId: string, amountNano: number) {
  const r = await account(userId).credit(userId, { kind: amountNano < 0 ? "adjustment" : "grant", amountNano, ref: uid("adj") });
  expect(r.ok).toBe(true);
}

export async function walletEmails(userId: string, template: string) {
  await account(userId).flushOutbox();
  const { results } = await env.DB.prepare("SELECT id, data FROM email_outbox WHERE user_id = ? AND template = ?").bind(userId, template).all<{ id: string; data: string }>();
  return results;
}
