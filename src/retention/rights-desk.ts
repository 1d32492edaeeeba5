import { readWallet } from "../account/client";
import { audit } from "../admin/audit";
import { enqueueEmail } from "../email/outbox";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { newId } from "../lib/ids";
import { deleteAccount } from "./account-deletion";
import { ANSWER_WITHIN_MS, DATA_CATEGORIES, RIGHTS, type RightKind } from "./rights-kinds";

export interface RightsRow {
  id: string; user_id: string; kind: RightKind; details: string | null; status: "open" | "fulfilled" | "rejected";
  created_at: number; due_at: number; resolved_at: number | null; resolved_by: string | null; resolution: string | null; evidence: string | null;
  reminded_7d_at: number | null; reminded_2d_at: number | null; escalated_at: number | null;
}

/** The actor of what the desk does by itself (self-service answers, reminders, escalation). */
export const DESK_ACTOR = "system:rights-desk";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A request as its user and the operator see it. `overdue`: still open after its due date. */
export function rightsView(r: RightsRow, now: number) {
  return {
    id: r.id, kind: r.kind, label: RIGHTS[r.kind].label, status: r.status, self_service: RIGHTS[r.kind].selfService,
    details: r.details, filed_at: iso(r.created_at), due_at: iso(r.due_at), answered_at: iso(r.resolved_at),
    resolution: r.resolution, evidence: r.evidence ? (JSON.parse(r.evidence) as unknown) : null,
    overdue: r.status === "open" && now > r.due_at,
  };
}

export async function getRequest(env: Env, id: string): Promise<RightsRow> {
  const row = await env.DB.prepare("SELECT * FROM rights_requests WHERE id = ?").bind(id).first<RightsRow>();
  if (!row) throw new ApiError(404, "rights_request_not_found", `No rights request '${id}'.`);
  return row;
}

async function walletCounts(env: Env, userId: string): Promise<{ usage_records: number; transactions: number }> {
  const c = await readWallet(env, userId, { kind: "counts" });
  return { usage_records: c.records, transactions: c.transactions };
}

/** The answer of a self-service kind, done now: what was provided, as evidence (no personal data in it). */
async function selfServe(env: Env, kind: RightKind, userId: string, now: number): Promise<{ resolution: string; evidence: Record<string, unknown> }> {
  if (kind === "erasure") {
    const r = await deleteAccount(env, userId, { now, reason: "user_request", notify: true });
    return { resolution: "Account deleted: profile erased, API keys revoked, usage anonymized; financial records kept as the law requires.", evidence: { deleted: true, refund_request_id: r.refundRequestId } };
  }
  if (kind === "opt_out") {
    return { resolution: "We do not sell personal information, so there is nothing to opt out of; this stays true for your account.", evidence: { sells_personal_information: false } };
  }
  const evidence = {
    downloads: ["/api/me/export/usage?format=json", "/api/me/export/transactions?format=json", "/api/me"],
    // What the download links return: the wallet's recent usage records and its whole ledger.
    ...await walletCounts(env, userId),
    categories: DATA_CATEGORIES,
  };
  const resolution = kind === "know"
    ? "The categories of personal data we hold and why are listed; your records can be downloaded from the links."
    : "Your profile, usage records and transactions are ready to download in JSON (machine-readable) from the links.";
  return { resolution, evidence };
}

/**
 * Files a request (after the route re-authenticated the user). Due 30 days after filing. Self-service
 * kinds are answered at once and closed with their evidence; the others wait in the operator queue.
 * Every step is in the audit log; the user gets a confirmation (and the answer) by email.
 */
export async function fileRequest(env: Env, user: { id: string; email: string }, kind: RightKind, details: string | null, now: number): Promise<RightsRow> {
  const id = newId("rr_", now);
  await env.DB.prepare("INSERT INTO rights_requests (id, user_id, kind, details, status, created_at, due_at) VALUES (?, ?, ?, ?, 'open', ?, ?)")
    .bind(id, user.id, kind, details, now, now + ANSWER_WITHIN_MS).run();
  await audit(env, { actor: `user:${user.id}`, action: "rights_request.filed", targetUserId: user.id, detail: `${id} ${kind}` }, now);
  if (RIGHTS[kind].selfService) {
    // Mail first: erasure replaces the address on file.
    await enqueueEmail(env, { userId: user.id, to: user.email, template: "rights_update", data: { kind: RIGHTS[kind].label, status: "answered (self-service)", request_id: id } }, now);
    const { resolution, evidence } = await selfServe(env, kind, user.id, now);
    await close(env, id, "fulfilled", DESK_ACTOR, resolution, evidence, now);
  } else {
    await enqueueEmail(env, { userId: user.id, to: user.email, template: "rights_update", data: { kind: RIGHTS[kind].label, status: `received; answered by ${iso(now + ANSWER_WITHIN_MS)!.slice(0, 10)}`, request_id: id } }, now);
  }
  return getRequest(env, id);
}

async function close(env: Env, id: string, status: "fulfilled" | "rejected", actor: string, resolution: string, evidence: Record<string, unknown> | null, now: number): Promise<void> {
  const row = await getRequest(env, id);
  await env.DB.prepare("UPDATE rights_requests SET status = ?, resolved_at = ?, resolved_by = ?, resolution = ?, evidence = ? WHERE id = ? AND status = 'open'")
    .bind(status, now, actor, resolution, evidence ? JSON.stringify(evidence) : null, id).run();
  await audit(env, { actor, action: `rights_request.${status}`, targetUserId: row.user_id, detail: `${id} ${row.kind}` }, now);
}

/** An operator answers an open request: what was done (`note`), fulfilled or rejected (with the reason). The user is told by email. */
export async function resolveRequest(env: Env, id: string, actor: string, outcome: "fulfilled" | "rejected", note: string, now: number): Promise<RightsRow> {
  const row = await getRequest(env, id);
  if (row.status !== "open") throw new ApiError(409, "rights_request_closed", `The request '${id}' was already answered (${row.status}).`);
  await close(env, id, outcome, actor, note, null, now);
  const user = await env.DB.prepare("SELECT email, status FROM users WHERE id = ?").bind(row.user_id).first<{ email: string; status: string }>();
  if (user && user.status !== "deleted") {
    await enqueueEmail(env, { userId: row.user_id, to: user.email, template: "rights_update", data: { kind: RIGHTS[row.kind].label, status: outcome, request_id: id } }, now);
  }
  return getRequest(env, id);
}

/** The operator's queue: optionally one status and due before a time, open ones first, soonest due first; at most 500. */
export async function listRightsRequests(env: Env, filter: { status: string | null; dueBefore: number | null }): Promise<RightsRow[]> {
  const { results } = await env.DB.prepare(
    "SELECT * FROM rights_requests WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR due_at < ?2) ORDER BY status = 'open' DESC, due_at ASC LIMIT 500",
  ).bind(filter.status, filter.dueBefore).all<RightsRow>();
  return results;
}

/** One user's own requests, newest first; at most 200. */
export async function listUserRightsRequests(env: Env, userId: string): Promise<RightsRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM rights_requests WHERE user_id = ? ORDER BY created_at DESC LIMIT 200").bind(userId).all<RightsRow>();
  return results;
}
