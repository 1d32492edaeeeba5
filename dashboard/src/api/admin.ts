// /api/admin — one function per route of docs/api.md (admin session + CSRF).
import { call } from "./client";
import type { AdminUser, AdminUserDetail, ApiKey, AuditRow, Loose, Page, Refund, Revenue } from "./types";

const AD = "/api/admin";
const u = (id: string) => `${AD}/users/${encodeURIComponent(id)}`;

export const adminListUsers = (q?: string, cursor?: string) => call<Page<AdminUser>>("GET", `${AD}/users`, undefined, { q, cursor });
export const adminGetUser = (id: string) => call<AdminUserDetail>("GET", u(id));
export const adminUserUsage = (id: string) => call<Loose>("GET", `${u(id)}/usage`);
export const adminUserKeys = (id: string) => call<{ data: ApiKey[] }>("GET", `${u(id)}/keys`);
export const adminGrantCredits = (id: string, amount_usd: string, note: string, idempotency_key: string) =>
  call<{ balance_usd: string; transaction_id: string }>("POST", `${u(id)}/credits`, { amount_usd, note, idempotency_key });
export const adminCreateKey = (id: string, name: string) => call<{ id: string; key: string }>("POST", `${u(id)}/keys`, { name });
export const adminRevokeKey = (keyId: string) => call<Loose>("DELETE", `${AD}/keys/${encodeURIComponent(keyId)}`);
export const adminSetRole = (id: string, role: "user" | "admin") => call<{ id: string; role: string }>("PATCH", `${u(id)}/role`, { role });
export const adminListModels = () => call<{ data: Loose[] } | Loose[]>("GET", `${AD}/models`);
export const adminPatchModel = (id: string, body: Record<string, string | boolean | null>) => call<Loose>("PATCH", `${AD}/models/${encodeURIComponent(id)}`, body);
export const adminChannels = () => call<Loose>("GET", `${AD}/channels`);
export const adminRefunds = (status?: string) => call<Page<Refund>>("GET", `${AD}/refunds`, undefined, { status });
export const adminApproveRefund = (id: string) => call<Refund>("POST", `${AD}/refunds/${encodeURIComponent(id)}/approve`, {});
export const adminRejectRefund = (id: string, reason?: string) => call<Refund>("POST", `${AD}/refunds/${encodeURIComponent(id)}/reject`, { reason });
export const adminAudit = (cursor?: string) => call<Page<AuditRow>>("GET", `${AD}/audit`, undefined, { cursor });
export const adminReconciliation = () => call<Loose>("GET", `${AD}/reconciliation`);
export const adminRunReconciliation = () => call<Loose>("POST", `${AD}/reconciliation/run`, {});
export const adminRevenue = (from?: string, to?: string) => call<Revenue>("GET", `${AD}/revenue`, undefined, { from, to });
