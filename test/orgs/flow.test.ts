import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { chat, drained, settled } from "../helpers/gateway";
import { planeApplied } from "../helpers/usage-plane";
import { createOrg, fundOrg, joinOrg, orgKey } from "../helpers/orgs";
import { signedInUser } from "../helpers/session";

// test-echo: 11 prompt × 1000 + 7 output × 2000 nUSD = 25,000 nUSD a request.
const ECHO = 25_000;

describe("an organization", () => {
  it("invite → accept → member key → usage by member → removal stops the member's key at once", async () => {
    const owner = await signedInUser("0");
    const orgId = await createOrg(owner);
    await fundOrg(orgId, 1_000_000);
    const member = await joinOrg(owner, orgId);
    const { key } = await orgKey(member, orgId);
    expect(key).toMatch(new RegExp(`^sk-gw-${orgId}-`));

    expect((await chat(key, { model: "test-echo", max_tokens: 20 })).status).toBe(200);
    await settled(orgId);
    const summary = await (await owner.fetch(`/api/orgs/${orgId}`)).json();
    expect(summary).toMatchObject({ role: "owner", balance_usd: "0.000975" });

    const usage = (await (await owner.fetch(`/api/orgs/${orgId}/usage?group_by=member`)).json()) as { data: { member: string; cost_nano: number; requests: number }[] };
    expect(usage.data).toEqual([expect.objectContaining({ member: member.userId, cost_nano: ECHO, requests: 1 })]);
    const csv = await (await owner.fetch(`/api/orgs/${orgId}/usage?group_by=model&format=csv`)).text();
    expect(csv).toBe(`model,requests,cost_usd,prompt_tokens,completion_tokens\r\ntest-echo,1,0.000025,11,7\r\n`);
    // The member's own user wallet was not touched.
    expect((await settled(member.userId)).usageNano).toBe(0);

    const removed = await owner.fetch(`/api/orgs/${orgId}/members/${member.userId}`, { method: "DELETE" });
    expect(await removed.json()).toMatchObject({ removed: true, keys_revoked: 1 });
    const after = await chat(key, { model: "test-echo", max_tokens: 20 });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { code: string } }).error.code).toBe("api_key_revoked");
    expect((await member.fetch(`/api/orgs/${orgId}`)).status).toBe(404);

    const audit = await env.DB.prepare("SELECT action, target_user_id FROM audit_log WHERE detail LIKE ? ORDER BY created_at, action").bind(`${orgId}%`).all<{ action: string; target_user_id: string }>();
    expect(audit.results.map((r) => r.action)).toEqual(expect.arrayContaining(["org.created", "org.member_added", "org.member_removed"]));
  });

  it("a member spend limit binds across all of the member's keys and is refused with its own code", async () => {
    const owner = await signedInUser("0");
    const orgId = await createOrg(owner);
    await fundOrg(orgId, 1_000_000);
    const member = await joinOrg(owner, orgId);
    const limit = await owner.fetch(`/api/orgs/${orgId}/members/${member.userId}`, { method: "PATCH", json: { spend_limit_usd: "0.00006", spend_limit_period: "daily" } });
    expect(limit.status).toBe(200);
    const k1 = await orgKey(member, orgId);
    const k2 = await orgKey(member, orgId);
    // Each request reserves ≥ 40,000 nUSD (20 output tokens): one fits, then 60,000 − 25,000 leaves no room for another.
    expect((await chat(k1.key, { model: "test-echo", max_tokens: 20 })).status).toBe(200);
    await settled(orgId);
    const refused = await chat(k2.key, { model: "test-echo", max_tokens: 20 });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("member_spend_limit_exceeded");
    const members = (await (await owner.fetch(`/api/orgs/${orgId}/members`)).json()) as { data: { user_id: string; spent_usd: string; spend_limit_usd: string }[] };
    expect(members.data.find((m) => m.user_id === member.userId)).toMatchObject({ spent_usd: "0.000025", spend_limit_usd: "0.00006" });
  });

  it("an invitation works once, only for its address, and not after it expired or was tampered with", async () => {
    const owner = await signedInUser("0");
    const orgId = await createOrg(owner);
    const invited = await signedInUser("0");
    const other = await signedInUser("0");
    const res = await owner.fetch(`/api/orgs/${orgId}/invitations`, { method: "POST", json: { email: invited.email, role: "member" } });
    const { token, id } = (await res.json()) as { token: string; id: string };
    const accept = (u: typeof owner, t: string) => u.fetch("/api/orgs/invitations/accept", { method: "POST", json: { token: t } });
    expect((await accept(other, token)).status).toBe(400);
    expect((await accept(invited, `${token.slice(0, -1)}${token.endsWith("0") ? "1" : "0"}`)).status).toBe(400);
    expect((await accept(invited, token)).status).toBe(200);
    expect((await accept(invited, token)).status).toBe(400);
    const late = await owner.fetch(`/api/orgs/${orgId}/invitations`, { method: "POST", json: { email: other.email } });
    const lateBody = (await late.json()) as { token: string; id: string };
    await env.DB.prepare("UPDATE org_invitations SET expires_at = 1 WHERE id = ?").bind(lateBody.id).run();
    expect((await accept(other, lateBody.token)).status).toBe(400);
    expect(id).not.toBe(lateBody.id);
    const mail = await env.DB.prepare("SELECT template FROM email_outbox WHERE to_address = ?").bind(invited.email).all<{ template: string }>();
    expect(mail.results.map((m) => m.template)).toContain("org_invitation");
  });

  it("the last owner cannot be removed, and a plain member cannot manage members or keys", async () => {
    const owner = await signedInUser("0");
    const orgId = await createOrg(owner);
    const member = await joinOrg(owner, orgId);
    const admin = await joinOrg(owner, orgId, "admin");
    expect((await admin.fetch(`/api/orgs/${orgId}/members/${owner.userId}`, { method: "DELETE" })).status).toBe(403);
    expect((await owner.fetch(`/api/orgs/${orgId}/members/${owner.userId}`, { method: "DELETE" })).status).toBe(409);
    expect((await member.fetch(`/api/orgs/${orgId}/members/${admin.userId}`, { method: "DELETE" })).status).toBe(403);
    expect((await member.fetch(`/api/orgs/${orgId}/invitations`, { method: "POST", json: { email: "x@example.test" } })).status).toBe(403);
    // A member leaves on their own.
    expect((await member.fetch(`/api/orgs/${orgId}/members/${member.userId}`, { method: "DELETE" })).status).toBe(200);
  });

  it("deleting the organization (owner only) stops every key at once and keeps its records", async () => {
    const owner = await signedInUser("0");
    const orgId = await createOrg(owner);
    await fundOrg(orgId, 1_000_000);
    const admin = await joinOrg(owner, orgId, "admin");
    const { key } = await orgKey(admin, orgId);
    expect((await chat(key, { model: "test-echo", max_tokens: 20 })).status).toBe(200);
    await drained(orgId);
    expect((await admin.fetch(`/api/orgs/${orgId}`, { method: "DELETE" })).status).toBe(403);
    expect(await (await owner.fetch(`/api/orgs/${orgId}`, { method: "DELETE" })).json()).toEqual({ id: orgId, deleted: true });
    expect((await chat(key, { model: "test-echo", max_tokens: 20 })).status).toBe(401);
    expect((await owner.fetch(`/api/orgs/${orgId}`)).status).toBe(404);
    await planeApplied(orgId); // D1 keeps the organization's usage as hourly rollups
    const usage = await env.DB.prepare("SELECT sum(requests) AS n FROM usage_rollups WHERE user_id = ?").bind(orgId).first<{ n: number }>();
    expect(usage?.n).toBe(1);
  });
});
