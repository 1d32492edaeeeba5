import { z } from "zod";
import { accountStub } from "../../../account/client";
import type { Env } from "../../../env";

const id = z.union([z.string(), z.looseObject({ id: z.string() })]).nullish().transform((v) => (typeof v === "string" ? v : v?.id ?? null));
const line = z.looseObject({
  amount: z.number(),
  period: z.object({ start: z.number(), end: z.number() }),
  price: z.looseObject({ id: z.string() }).nullish(),
  pricing: z.looseObject({ price_details: z.looseObject({ price: z.string() }).nullish() }).nullish(),
});
/** The parts of an invoice we read; Stripe's older (`subscription`) and newer (`parent.subscription_details`) shapes. */
const invoice = z.looseObject({
  id: z.string(),
  customer: id,
  subscription: id,
  parent: z.looseObject({ subscription_details: z.looseObject({ subscription: id }).nullish() }).nullish(),
  lines: z.looseObject({ data: z.array(line) }),
});
type Invoice = z.infer<typeof invoice>;

const subscriptionOf = (inv: Invoice) => inv.subscription ?? inv.parent?.subscription_details?.subscription ?? null;
const priceOf = (l: z.infer<typeof line>) => l.pricing?.price_details?.price ?? l.price?.id ?? null;

async function userFor(env: Env, customer: string | null): Promise<string | null> {
  if (!customer) return null;
  return (await env.DB.prepare("SELECT id FROM users WHERE stripe_customer_id = ?").bind(customer).first<{ id: string }>())?.id ?? null;
}

/**
 * invoice.paid: the plan credit of the period it pays, once per invoice id (the wallet's
 * `plancredit:<invoice>` ref). The plan is the one whose Stripe price the invoice's newest
 * positive line names; a prorated upgrade invoice adds only the new plan's credit beyond what the
 * period already got (src/account/plan-credit.ts). Needs nothing from other events, so any order works.
 */
export async function onInvoicePaid(env: Env, raw: unknown): Promise<string> {
  const inv = invoice.parse(raw);
  const userId = await userFor(env, inv.customer);
  if (!userId) return "ignored";
  const lines = inv.lines.data.filter((l) => l.amount > 0 && priceOf(l)).sort((a, b) => b.period.end - a.period.end);
  for (const l of lines) {
    const plan = await env.DB.prepare("SELECT id, credit_nano FROM plans WHERE stripe_price_id = ?").bind(priceOf(l)).first<{ id: string; credit_nano: number }>();
    if (!plan) continue;
    const result = await accountStub(env, userId).grantPlanCredit(userId, { invoiceId: inv.id, periodEnd: l.period.end * 1000, creditNano: plan.credit_nano, planId: plan.id });
    const sub = subscriptionOf(inv);
    if (sub) await env.DB.prepare("UPDATE subscriptions SET last_payment_error = NULL WHERE id = ? AND last_payment_error = ?").bind(sub, inv.id).run();
    return result.duplicate ? "duplicate_invoice" : "plan_credit_granted";
  }
  return "ignored";
}

/** invoice.payment_failed: the subscription shows the failure (its status comes from customer.subscription.updated). Nothing is credited. */
export async function onInvoicePaymentFailed(env: Env, raw: unknown): Promise<string> {
  const inv = invoice.parse(raw);
  const sub = subscriptionOf(inv);
  const userId = await userFor(env, inv.customer);
  if (!sub || !userId) return "ignored";
  await env.DB.prepare(`INSERT INTO subscriptions (id, user_id, status, last_payment_error, event_at) VALUES (?, ?, 'incomplete', ?, 0)
    ON CONFLICT (id) DO UPDATE SET last_payment_error = excluded.last_payment_error`).bind(sub, userId, inv.id).run();
  return "payment_failed";
}
