import { z } from "zod";
import type { Env } from "../../../env";

const address = z.looseObject({
  line1: z.string().nullish(), line2: z.string().nullish(), postal_code: z.string().nullish(), city: z.string().nullish(), state: z.string().nullish(), country: z.string().nullish(),
}).nullish();
const session = z.looseObject({
  id: z.string(),
  customer_details: z.looseObject({
    name: z.string().nullish(), business_name: z.string().nullish(), address,
    tax_ids: z.array(z.looseObject({ type: z.string(), value: z.string() })).nullish(),
  }).nullish(),
});
const charge = z.looseObject({
  payment_intent: z.union([z.string(), z.looseObject({ id: z.string() })]).nullish(),
  payment_method_details: z.looseObject({ type: z.string(), card: z.looseObject({ brand: z.string().nullish(), last4: z.string().nullish() }).nullish() }).nullish(),
});

const UPSERT = `INSERT INTO payment_details (ref, company_name, address, tax_id, card_brand, card_last4, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (ref) DO UPDATE SET company_name = coalesce(excluded.company_name, company_name), address = coalesce(excluded.address, address),
  tax_id = coalesce(excluded.tax_id, tax_id), card_brand = coalesce(excluded.card_brand, card_brand), card_last4 = coalesce(excluded.card_last4, card_last4), updated_at = excluded.updated_at`;

const oneLine = (a: z.infer<typeof address>) => (a ? [a.line1, a.line2, [a.postal_code, a.city].filter(Boolean).join(" "), a.state, a.country].filter(Boolean).join(", ") || null : null);

/** checkout.session.completed: the billing details Stripe collected (company name, address, tax ID), kept for the receipt. */
export async function recordBillingDetails(env: Env, raw: unknown, now = Date.now()): Promise<void> {
  const s = session.safeParse(raw);
  const d = s.success ? s.data.customer_details : null;
  if (!s.success || !d) return;
  const tax = d.tax_ids?.map((t) => `${t.type.toUpperCase().replace(/_/g, " ")} ${t.value}`).join(", ") || null;
  await env.DB.prepare(UPSERT).bind(s.data.id, d.business_name ?? d.name ?? null, oneLine(d.address), tax, null, null, now).run();
}

/** charge.succeeded: the card's brand and last 4 digits, by payment intent. Nothing else of the card exists here. */
export async function onChargeSucceeded(env: Env, raw: unknown, now = Date.now()): Promise<string> {
  const c = charge.parse(raw);
  const pi = typeof c.payment_intent === "string" ? c.payment_intent : c.payment_intent?.id;
  const card = c.payment_method_details?.card;
  if (!pi || !card) return "ignored";
  await env.DB.prepare(UPSERT).bind(pi, null, null, null, card.brand ?? null, card.last4 ?? null, now).run();
  return "payment_method_recorded";
}
