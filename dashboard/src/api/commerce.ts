// /api/billing: receipts, redemption codes, auto top-up and plans (docs/billing.md).
import { call } from "./client";

const B = "/api/billing";

export interface Receipt { id: string; paid_at: string; amount_usd: string; company_name: string | null; tax_id: string | null; payment_method: { brand: string; last4: string } | null }
export interface AutoTopup {
  enabled: boolean; threshold_usd: string; amount_usd: string; monthly_cap_usd: string; charged_this_month_usd: string;
  disabled_reason: string | null; payment_method: { brand: string | null; last4: string | null } | null;
}
export interface Plan { id: string; name: string; price_usd: string; monthly_credit_usd: string }
export interface Subscription { id: string; plan_id: string | null; status: string; cancel_at_period_end: boolean; current_period_end: string | null; payment_failed: boolean }

export const listReceipts = () => call<{ data: Receipt[] }>("GET", `${B}/receipts`);
export const receiptUrl = (id: string) => `${B}/receipts/${encodeURIComponent(id)}`;
export const redeemCode = (code: string) => call<{ amount_usd: string; balance_usd: string; replayed: boolean }>("POST", `${B}/redeem`, { code });
export const getAutoTopup = () => call<AutoTopup>("GET", `${B}/auto-topup`);
export const putAutoTopup = (body: { enabled: false } | { enabled: true; threshold_usd: string; amount_usd: string; monthly_cap_usd: string; confirmation: string }) =>
  call<AutoTopup>("PUT", `${B}/auto-topup`, body);
export const listPlans = () => call<{ data: Plan[] }>("GET", `${B}/plans`);
export const getSubscription = () => call<{ subscription: Subscription | null }>("GET", `${B}/subscription`);
export const subscribe = (plan_id: string) => call<{ url: string }>("POST", `${B}/subscribe`, { plan_id });
/** Cancel at period end, resume, change plan: asked of Stripe (202); the subscription shows the result once Stripe's webhook arrives. */
export const cancelSubscription = () => call<unknown>("POST", `${B}/subscription/cancel`, {});
export const resumeSubscription = () => call<unknown>("POST", `${B}/subscription/resume`, {});
export const changePlan = (plan_id: string) => call<unknown>("POST", `${B}/subscription/change`, { plan_id });

/** The sentence the server requires to turn auto top-up on (src/billing/auto-topup.ts); amounts as the server formats them. */
export const confirmationSentence = (amount: string, threshold: string, cap: string) =>
  `Charge my saved card ${amount} USD whenever my balance falls below ${threshold} USD, at most ${cap} USD per calendar month.`;
