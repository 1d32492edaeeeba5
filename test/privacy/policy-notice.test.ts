import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { renderEmail } from "../../src/email/templates";
import { admin, createUser } from "../helpers/gateway";
import { register, registerVerified } from "../auth/helpers";

// P25: notices of changes. POST /api/admin/notices/policy-change queues one policy_change email to
// every active user with a verified address, once per (version, user), however often it is called.

const notice = (json: Record<string, unknown>) => admin("/notices/policy-change", { method: "POST", json });
const policyMails = async () =>
  (await env.DB.prepare("SELECT id, user_id, to_address, data FROM email_outbox WHERE template = 'policy_change' ORDER BY id").all<Record<string, string>>()).results;

describe("POST /api/admin/notices/policy-change", () => {
  it("mails every active, verified user once; unverified and deleted users get nothing; a repeat queues nothing", async () => {
    const viaOperator = await createUser("0"); // created by the operator: verified
    const viaSignUp = await registerVerified(); // signed up and followed the link
    const unverified = await register(); // signed up, never verified
    const deleted = await createUser("0");
    expect((await admin(`/users/${deleted.userId}`, { method: "DELETE" })).status).toBe(200);
    const email = async (id: string) => (await env.DB.prepare("SELECT email FROM users WHERE id = ?").bind(id).first<{ email: string }>())!.email;

    const body = { version: "2026-12", effective_date: "2026-12-31", summary: "Refund window changes to 30 days." };
    const first = await notice(body);
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ version: "2026-12", effective_date: "2026-12-31", recipients: 2, queued: 2 });

    const mails = await policyMails();
    expect(mails.map((m) => m.user_id).sort()).toEqual([viaOperator.userId, viaSignUp.userId].sort());
    for (const m of mails) {
      expect(m.id).toBe(`eml_pol_2026-12_${m.user_id}`);
      expect(m.to_address).toBe(await email(m.user_id!));
      expect(JSON.parse(m.data!)).toEqual({ terms_version: "2026-12", effective_date: "2026-12-31", summary: body.summary });
      // The template names the version and the date.
      const text = renderEmail("policy_change", JSON.parse(m.data!), null).text;
      expect(text).toContain("version 2026-12");
      expect(text).toContain("2026-12-31");
    }
    expect(mails.some((m) => m.user_id === unverified.userId || m.user_id === deleted.userId)).toBe(false);

    // A retried call (same version) queues nothing more, even with a changed summary.
    const again = await notice({ ...body, summary: "Typo fixed." });
    expect(await again.json()).toEqual({ version: "2026-12", effective_date: "2026-12-31", recipients: 2, queued: 0 });
    expect(await policyMails()).toEqual(mails);

    // A new version is a new notice: one more email each.
    expect(await (await notice({ ...body, version: "2027-01" })).json()).toMatchObject({ queued: 2 });
    expect(await policyMails()).toHaveLength(4);
  });

  it("validates the body: ISO date, summary ≤ 2000 chars, id-safe version, no other fields", async () => {
    const ok = { version: "v9", effective_date: "2027-02-01", summary: "x" };
    for (const bad of [
      { ...ok, effective_date: "01/02/2027" },
      { ...ok, summary: "x".repeat(2001) },
      { ...ok, summary: "" },
      { ...ok, version: "v9_' OR 1" },
      { ...ok, extra: true },
      { version: "v9", summary: "x" },
    ]) {
      const res = await notice(bad);
      expect(res.status, JSON.stringify(bad).slice(0, 80)).toBe(400);
    }
    expect((await notice({ ...ok, summary: "x".repeat(2000) })).status).toBe(202);
  });
});
