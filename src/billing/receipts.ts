import type { Env } from "../env";
import { formatUsd } from "../lib/money";
import { fromCents } from "./topup-config";

export interface Receipt {
  id: string; paidAt: number; amountNano: number; checkoutId: string | null; paymentIntentId: string | null;
  companyName: string | null; address: string | null; taxId: string | null; cardBrand: string | null; cardLast4: string | null;
}

interface Row {
  id: string; paid_at: number; amount_cents: number; checkout_session_id: string | null; payment_intent_id: string | null;
  company_name: string | null; address: string | null; tax_id: string | null; card_brand: string | null; card_last4: string | null;
}

// A paid top-up with the details its two events reported (by session id and by payment intent id).
const QUERY = `SELECT t.id, t.paid_at, t.amount_cents, t.checkout_session_id, t.payment_intent_id,
  coalesce(s.company_name, p.company_name) AS company_name, coalesce(s.address, p.address) AS address, coalesce(s.tax_id, p.tax_id) AS tax_id,
  coalesce(p.card_brand, s.card_brand) AS card_brand, coalesce(p.card_last4, s.card_last4) AS card_last4
  FROM topups t LEFT JOIN payment_details s ON s.ref = t.checkout_session_id LEFT JOIN payment_details p ON p.ref = t.payment_intent_id
  WHERE t.user_id = ? AND t.status = 'paid'`;

const toReceipt = (r: Row): Receipt => ({
  id: r.id, paidAt: r.paid_at, amountNano: fromCents(r.amount_cents), checkoutId: r.checkout_session_id, paymentIntentId: r.payment_intent_id,
  companyName: r.company_name, address: r.address, taxId: r.tax_id, cardBrand: r.card_brand, cardLast4: r.card_last4,
});

/** The wallet's paid top-ups as receipts, newest first: a user's own, or an organization's (its id). */
export async function listReceipts(env: Env, userId: string): Promise<Receipt[]> {
  const { results } = await env.DB.prepare(`${QUERY} ORDER BY t.paid_at DESC LIMIT 200`).bind(userId).all<Row>();
  return results.map(toReceipt);
}

/** One receipt of this wallet's (a user or an organization), or null (another wallet's id finds nothing). */
export async function findReceipt(env: Env, userId: string, id: string): Promise<Receipt | null> {
  const row = await env.DB.prepare(`${QUERY} AND t.id = ?`).bind(userId, id).first<Row>();
  return row ? toReceipt(row) : null;
}

export const paymentMethodText = (r: Receipt) => (r.cardBrand && r.cardLast4 ? `${r.cardBrand.toUpperCase()} •••• ${r.cardLast4}` : "card (details not reported)");

export const receiptJson = (r: Receipt) => ({
  id: r.id, paid_at: new Date(r.paidAt).toISOString(), amount_usd: formatUsd(r.amountNano), company_name: r.companyName, address: r.address,
  tax_id: r.taxId, payment_method: r.cardBrand && r.cardLast4 ? { brand: r.cardBrand, last4: r.cardLast4 } : null,
});

/** The headers of a receipt download (an HTML attachment, never cached). */
export const receiptHeaders = (r: Receipt) => ({
  "content-type": "text/html; charset=utf-8", "content-disposition": `attachment; filename="receipt-${r.id}.html"`, "cache-control": "no-store",
});

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A self-contained HTML receipt (prints to PDF from any browser). */
export function renderReceipt(r: Receipt, seller: string, billedTo: string): string {
  const rows: [string, string][] = [
    ["Receipt number", r.id], ["Date paid", new Date(r.paidAt).toISOString().slice(0, 10)], ["Billed to", r.companyName ?? billedTo],
    ["Address", r.address ?? "—"], ["Tax ID", r.taxId ?? "—"], ["Payment method", paymentMethodText(r)],
    ["Description", "Prepaid API credit"], ["Amount paid", `${formatUsd(r.amountNano)} USD`], ["Stripe reference", r.paymentIntentId ?? r.checkoutId ?? "—"],
  ];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Receipt ${esc(r.id)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto}th{text-align:left;padding-right:2rem}td,th{padding:.3rem 0}</style></head>
<body><h1>Receipt</h1><p>${esc(seller)}</p><table>${rows.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</table>
<p>Paid in full. Purchased credit does not expire.</p></body></html>`;
}
