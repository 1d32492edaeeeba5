import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { runRightsDesk } from "../../src/retention/rights-jobs";
import { runScheduled } from "../../src/scheduled";
import { registerVerified } from "../auth/helpers";
import { admin } from "../helpers/gateway";
import { signedInUser, type SessionUser } from "../helpers/session";

// P28 with a controllable clock: every kind of rights request is filed through the API; the
// self-service kinds are answered at once with their evidence, the others wait in the operator
// queue, whose scheduled job (runRightsDesk(env, now)) reminds the desk 7 and 2 days before the
// 30-day due date and escalates once overdue; everything is in the audit log.

const DAY = 86_400_000;
const DESK = "privacy-desk@example.test";
const deskEnv = { ...env, RIGHTS_DESK_EMAIL: DESK } as Env;
const QUEUED = ["rectification", "restriction", "objection", "withdraw_consent", "non_discrimination"] as const;
const SELF_SERVICE = ["access", "portability", "know", "opt_out"] as const;

interface View { id: string; kind: string; status: string; self_service: boolean; filed_at: string; due_at: string; answered_at: string | null; resolution: string | null; evidence: Record<string, unknown> | null; overdue: boolean }

async function file(u: SessionUser, kind: string, extra: Record<string, unknown> = {}): Promise<View> {
  const res = await u.fetch("/api/me/rights-requests", { method: "POST", json: { kind, details: `about ${kind}`, ...extra } });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as View;
}
const auditOf = async (id: string) =>
  (await env.DB.prepare("SELECT actor, action FROM audit_log WHERE detail LIKE ? ORDER BY rowid").bind(`${id}%`).all<{ actor: string; action: string }>()).results;
const deskMails = async (id: string) =>
  (await env.DB.prepare("SELECT template, to_address, data FROM email_outbox WHERE to_address = ? AND data LIKE ? ORDER BY created_at, rowid").bind(DESK, `%${id}%`).all<{ template: string; data: string }>()).results;

describe("rights desk (P28): filing, self-service answers, the 30-day queue", () => {
  it("lists every right the policies promise, with its source; filing needs re-authentication", async () => {
    const r = await registerVerified();
    const kinds = (await (await r.session.fetch("/api/me/rights-requests/kinds")).json()) as { data: Array<{ kind: string }>; answer_within_days: number };
    expect(kinds.data.map((k) => k.kind).sort()).toEqual([...SELF_SERVICE, "erasure", ...QUEUED].sort());
    expect(kinds.answer_within_days).toBe(30);
    const noPassword = await r.session.fetch("/api/me/rights-requests", { method: "POST", json: { kind: "objection" } });
    expect(noPassword.status).toBe(401);
    expect(((await noPassword.json()) as { error: { code: string } }).error.code).toBe("reauth_required");
    const wrong = await r.session.fetch("/api/me/rights-requests", { method: "POST", json: { kind: "objection", password: "not it at all" } });
    expect(wrong.status).toBe(401);
    const ok = await file(r.session, "objection", { password: r.password });
    expect(ok.status).toBe("open");
    expect((await env.DB.prepare("SELECT count(*) AS n FROM rights_requests WHERE user_id = ?").bind(r.userId).first("n"))).toBe(1);
  });

  it("self-service kinds (access, portability, know, opt-out) are answered at once and closed with their evidence, mailed and audited", async () => {
    const u = await signedInUser();
    for (const kind of SELF_SERVICE) {
      const v = await file(u, kind);
      expect(v).toMatchObject({ kind, status: "fulfilled", self_service: true, overdue: false });
      expect(v.answered_at).toBe(v.filed_at);
      expect(Date.parse(v.due_at) - Date.parse(v.filed_at)).toBe(30 * DAY);
      if (kind === "opt_out") expect(v.evidence).toEqual({ sells_personal_information: false });
      else {
        expect(v.evidence).toMatchObject({ downloads: ["/api/me/export/usage?format=json", "/api/me/export/transactions?format=json", "/api/me"], usage_records: 0 });
        expect((v.evidence!.categories as string[]).some((c) => c.startsWith("usage records"))).toBe(true);
      }
      expect(await auditOf(v.id)).toEqual([
        { actor: `user:${u.userId}`, action: "rights_request.filed" },
        { actor: "system:rights-desk", action: "rights_request.fulfilled" },
      ]);
    }
    // The export the evidence points at answers for this user.
    expect((await u.fetch("/api/me/export/transactions?format=json")).status).toBe(200);
    const status = (await (await u.fetch("/api/me/rights-requests")).json()) as { data: View[] };
    expect(status.data.map((v) => v.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
    const mails = await env.DB.prepare("SELECT count(*) AS n FROM email_outbox WHERE user_id = ? AND template = 'rights_update'").bind(u.userId).first("n");
    expect(mails).toBe(4);
  });

  it("erasure is fulfilled at once through account deletion: the account is gone, the request stays as the record", async () => {
    const u = await signedInUser();
    const v = await file(u, "erasure");
    expect(v).toMatchObject({ kind: "erasure", status: "fulfilled", evidence: { deleted: true } });
    expect(await env.DB.prepare("SELECT status FROM users WHERE id = ?").bind(u.userId).first("status")).toBe("deleted");
    expect((await u.fetch("/api/me/rights-requests")).status).toBe(401);
    expect((await auditOf(v.id)).map((a) => a.action)).toEqual(["rights_request.filed", "rights_request.fulfilled"]);
  });

  it("queued kinds: due in 30 days; desk reminded at 7 and 2 days before (once each), escalated when overdue; the operator's answer closes it", async () => {
    const u = await signedInUser();
    const filed: View[] = [];
    for (const kind of QUEUED) filed.push(await file(u, kind));
    for (const v of filed) expect(v).toMatchObject({ status: "open", self_service: false, answered_at: null });
    const t0 = Math.max(...filed.map((v) => Date.parse(v.filed_at)));
    const ids = filed.map((v) => v.id);
    const mine = async () => (await env.DB.prepare(`SELECT id, reminded_7d_at, reminded_2d_at, escalated_at FROM rights_requests WHERE user_id = ?`).bind(u.userId).all<Record<string, number | null>>()).results;

    // 8 days before the due date: nothing yet.
    await runRightsDesk(deskEnv, t0 + 22 * DAY);
    expect((await mine()).every((r) => r.reminded_7d_at === null)).toBe(true);
    // 7 days before: one reminder each, not repeated by a second run the same day.
    await runRightsDesk(deskEnv, t0 + 23 * DAY);
    await runRightsDesk(deskEnv, t0 + 23 * DAY + 3600_000);
    expect((await mine()).every((r) => r.reminded_7d_at === t0 + 23 * DAY && r.reminded_2d_at === null)).toBe(true);
    // 2 days before.
    await runRightsDesk(deskEnv, t0 + 28 * DAY);
    expect((await mine()).every((r) => r.reminded_2d_at === t0 + 28 * DAY && r.escalated_at === null)).toBe(true);
    // Due date passed, still open: escalated once.
    await runRightsDesk(deskEnv, t0 + 30 * DAY + 1);
    await runRightsDesk(deskEnv, t0 + 31 * DAY);
    expect((await mine()).every((r) => r.escalated_at === t0 + 30 * DAY + 1)).toBe(true);
    for (const id of ids) {
      const mails = await deskMails(id);
      expect(mails.map((m) => m.template)).toEqual(["rights_reminder", "rights_reminder", "rights_overdue"]);
      expect(mails.map((m) => (JSON.parse(m.data) as { days_left?: number }).days_left)).toEqual([7, 2, undefined]);
    }

    // The operator queue shows them as overdue (the real clock is before their due date, so mark one as filed 31 days ago).
    await env.DB.prepare("UPDATE rights_requests SET created_at = created_at - ?, due_at = due_at - ? WHERE id = ?").bind(31 * DAY, 31 * DAY, ids[0]).run();
    const queue = (await (await admin("/rights-requests?status=overdue")).json()) as { data: Array<View & { user_id: string; escalated_at: string }>; overdue: number };
    expect(queue.data.map((r) => r.id)).toContain(ids[0]);
    expect(queue.data.find((r) => r.id === ids[0])).toMatchObject({ overdue: true, user_id: u.userId, status: "open" });

    // The operator answers with what was done; the user is told; a second answer is refused.
    const res = await admin(`/rights-requests/${ids[0]}/resolve`, { method: "POST", json: { outcome: "fulfilled", note: "Corrected the company name on file." } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "fulfilled", resolution: "Corrected the company name on file.", resolved_by: "operator-token", overdue: false });
    expect((await admin(`/rights-requests/${ids[0]}/resolve`, { method: "POST", json: { outcome: "rejected", note: "again" } })).status).toBe(409);
    expect((await auditOf(ids[0]!)).filter((a) => a.action.startsWith("rights_request.")).map((a) => `${a.actor} ${a.action}`)).toEqual([
      `user:${u.userId} rights_request.filed`,
      "system:rights-desk rights_request.reminder_7d",
      "system:rights-desk rights_request.reminder_2d",
      "system:rights-desk rights_request.escalated",
      "operator-token rights_request.fulfilled",
    ]);
    const userMails = await env.DB.prepare("SELECT data FROM email_outbox WHERE user_id = ? AND template = 'rights_update' AND data LIKE ?").bind(u.userId, `%${ids[0]}%`).all<{ data: string }>();
    expect(userMails.results.map((m) => (JSON.parse(m.data) as { status: string }).status)).toEqual([expect.stringMatching(/^received; answered by \d{4}-\d{2}-\d{2}$/), "fulfilled"]);
  });

  it("runs from the cron entry point as the \"rights-desk\" job", async () => {
    const outcome = await runScheduled(deskEnv, Date.now());
    expect(outcome["rights-desk"]).toBe("ok");
  });
});
