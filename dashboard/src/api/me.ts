// /api/me — one function per route of docs/api.md.
import { call, send, withQuery } from "./client";
import type { AggregateRow, ApiKey, GroupBy, KeyLimits, NewKey, Overview, Page, SecurityEvent, UsageFilter, UsageRow, User } from "./types";

const M = "/api/me";

export const getProfile = () => call<{ user: User }>("GET", `${M}/profile`);
export const patchProfile = (body: { name?: string; company?: string }) => call<{ user: User }>("PATCH", `${M}/profile`, body);
export const changeEmail = (email: string, password?: string) => call<void>("POST", `${M}/email`, { email, password });
export const changePassword = (current_password: string, new_password: string) => call<void>("POST", `${M}/password`, { current_password, new_password });
export const getOverview = () => call<Overview>("GET", `${M}/overview`);
export const listKeys = () => call<{ data: ApiKey[] }>("GET", `${M}/keys`);
export const createKey = (body: { name: string } & KeyLimits) => call<NewKey>("POST", `${M}/keys`, body);
export const patchKey = (id: string, body: { name?: string } & KeyLimits) => call<ApiKey>("PATCH", `${M}/keys/${encodeURIComponent(id)}`, body);
export const revokeKey = (id: string) => call<{ id: string; revoked: true }>("DELETE", `${M}/keys/${encodeURIComponent(id)}`);
export const listUsage = (f: UsageFilter) => call<Page<UsageRow>>("GET", `${M}/usage`, undefined, { ...f });
export const aggregateUsage = (group_by: GroupBy, from?: string, to?: string) =>
  call<{ data: AggregateRow[] }>("GET", `${M}/usage/aggregate`, undefined, { group_by, from, to });
/** Download links (the browser streams the file; the session cookie authorizes it). */
export const usageExportUrl = (format: "csv" | "json", from?: string, to?: string) => withQuery(`${M}/export/usage`, { format, from, to });
export const transactionsExportUrl = (format: "csv" | "json", from?: string, to?: string) => withQuery(`${M}/export/transactions`, { format, from, to });
export const securityLog = (cursor?: string, limit = 50) => call<Page<SecurityEvent>>("GET", `${M}/security-log`, undefined, { cursor, limit });
export const deleteAccount = (body: { password?: string; confirm: "DELETE" }) =>
  call<{ deleted: true; refund_request_id: string | null }>("POST", `${M}/delete`, body);
/** The playground: the metered chat handler behind the session (src/routes/me/playground.ts); returns the raw stream. */
export const playgroundChat = (body: unknown, signal?: AbortSignal) => send("POST", `${M}/playground/chat/completions`, body, { signal });
/** The rights desk (src/routes/me/rights.ts). */
export interface RightsKind { kind: string; label: string; self_service: boolean; source: string }
export interface RightsRequest {
  id: string; kind: string; label: string; status: "open" | "fulfilled" | "rejected"; self_service: boolean; details: string | null;
  filed_at: string; due_at: string; answered_at: string | null; resolution: string | null; evidence: { downloads?: string[] } | null; overdue: boolean;
}
export const rightsKinds = () => call<{ data: RightsKind[]; answer_within_days: number }>("GET", `${M}/rights-requests/kinds`);
export const listRightsRequests = () => call<{ data: RightsRequest[] }>("GET", `${M}/rights-requests`);
export const fileRightsRequest = (body: { kind: string; details?: string; password?: string }) => call<RightsRequest>("POST", `${M}/rights-requests`, body);
