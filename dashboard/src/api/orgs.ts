// /api/orgs and the BYOK settings — one function per route of the README's "Organizations" section.
import { call } from "./client";
import type { Receipt } from "./commerce";
import type { ApiKey, Checkout, CheckoutStatus, NewKey } from "./types";

const O = "/api/orgs";
const id = (s: string) => encodeURIComponent(s);

export type OrgRole = "owner" | "admin" | "member" | "billing";
export interface Org { id: string; name: string; role: OrgRole }
export interface OrgSummary extends Org { balance_usd: string | null }
export interface Member { user_id: string; email: string; role: OrgRole; spend_limit_usd: string | null; spend_limit_period: string; spent_usd: string; period_spent_usd: string }
export interface Invitation { id: string; email: string; role: OrgRole; expires_at: string; token?: string; link?: string }
export interface UsageRow { member?: string | null; key?: string | null; model?: string | null; requests: number; cost_usd: string }
export interface ProviderKey { provider: string; allow_fallback: boolean; created_at: string }
export type OrgKey = ApiKey & { member_id: string | null };

export const listOrgs = () => call<{ data: Org[] }>("GET", O);
export const createOrg = (name: string) => call<Org>("POST", O, { name });
export const getOrg = (org: string) => call<OrgSummary>("GET", `${O}/${id(org)}`);
export const acceptInvitation = (token: string) => call<{ organization_id: string; role: OrgRole }>("POST", `${O}/invitations/accept`, { token });
export const invite = (org: string, email: string, role: OrgRole) => call<Invitation>("POST", `${O}/${id(org)}/invitations`, { email, role });
export const listMembers = (org: string) => call<{ data: Member[] }>("GET", `${O}/${id(org)}/members`);
export const patchMember = (org: string, user: string, body: { role?: OrgRole; spend_limit_usd?: string | null; spend_limit_period?: string }) =>
  call<unknown>("PATCH", `${O}/${id(org)}/members/${id(user)}`, body);
export const removeMember = (org: string, user: string) => call<unknown>("DELETE", `${O}/${id(org)}/members/${id(user)}`);
export const listOrgKeys = (org: string) => call<{ data: OrgKey[] }>("GET", `${O}/${id(org)}/keys`);
export const createOrgKey = (org: string, name: string) => call<NewKey>("POST", `${O}/${id(org)}/keys`, { name });
export const revokeOrgKey = (org: string, key: string) => call<unknown>("DELETE", `${O}/${id(org)}/keys/${id(key)}`);
export const orgUsage = (org: string, group_by: "member" | "key" | "model") => call<{ data: UsageRow[] }>("GET", `${O}/${id(org)}/usage`, undefined, { group_by });
export const orgUsageCsvUrl = (org: string, group_by: string) => `${O}/${id(org)}/usage?group_by=${group_by}&format=csv`;
export const createOrgCheckout = (org: string, amount_usd: string) => call<Checkout>("POST", `${O}/${id(org)}/topups/checkout`, { amount_usd });
export const getOrgCheckout = (org: string, checkout: string) => call<CheckoutStatus>("GET", `${O}/${id(org)}/topups/checkout/${id(checkout)}`);
export const listOrgReceipts = (org: string) => call<{ data: Receipt[] }>("GET", `${O}/${id(org)}/receipts`);
export const orgReceiptUrl = (org: string, receipt: string) => `${O}/${id(org)}/receipts/${id(receipt)}`;

/** Own provider keys: `base` is /api/me or /api/orgs/<id>. */
export const listProviderKeys = (base: string) => call<{ data: ProviderKey[] }>("GET", `${base}/provider-keys`);
export const putProviderKey = (base: string, provider: string, key: string, allow_fallback: boolean) =>
  call<ProviderKey>("PUT", `${base}/provider-keys/${id(provider)}`, { key, allow_fallback });
export const deleteProviderKey = (base: string, provider: string) => call<unknown>("DELETE", `${base}/provider-keys/${id(provider)}`);
