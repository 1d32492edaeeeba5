// /api/billing — one function per route of docs/api.md (the webhook is Stripe's, not the dashboard's).
import { call } from "./client";
import type { BalancePoint, BillingConfig, Checkout, CheckoutStatus, Page, Refund, Transaction } from "./types";

const B = "/api/billing";

export const getBillingConfig = () => call<BillingConfig>("GET", `${B}/config`);
export const createCheckout = (amount_usd: string) => call<Checkout>("POST", `${B}/checkout`, { amount_usd });
export const getCheckout = (id: string) => call<CheckoutStatus>("GET", `${B}/checkout/${encodeURIComponent(id)}`);
export const listTransactions = (cursor?: string, kind?: string, limit = 50) => call<Page<Transaction>>("GET", `${B}/transactions`, undefined, { cursor, kind, limit });
export const balanceHistory = (days = 30) => call<{ data: BalancePoint[] }>("GET", `${B}/balance-history`, undefined, { days });
export const listRefunds = () => call<{ data: Refund[]; refundable_usd: string }>("GET", `${B}/refunds`);
export const requestRefund = (body: { amount_usd?: string; reason?: string }) => call<Refund>("POST", `${B}/refunds`, body);
export const putLowBalance = (threshold_usd: string | null) => call<void>("PUT", `${B}/low-balance`, { threshold_usd });
