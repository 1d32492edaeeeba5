import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { deleteAccount } from "../../src/retention/account-deletion";
import { chat, settled } from "../helpers/gateway";
import { createOrg, fundOrg, joinOrg, orgKey } from "../helpers/orgs";
import { signedInUser } from "../helpers/session";

// test-echo: 11 prompt × 1000 + 7 output × 2000 nUSD = 25,000 nUSD a request.
const ECHO = 25_000;

// Issue 15 with P27: a member deletes their account. The organization's money, ledger and usage
// records outlive them; their organization keys stop at once; their personal data is still erased.
describe("a member's account deletion in an organization", () => {
  it("stops their organization keys, keeps the organization's balance, ledger and usage, and erases their profile", async () => {
    const owner = await signedInUser("0");
    const orgId = await createOrg(owner);
    await fundOrg(orgId, 1_000_000);
    const member = await joinOrg(owner, orgId);
    const { key } = await orgKey(member, orgId);
    expect((await chat(key, { model: "test-echo", max_tokens: 20 })).status).toBe(200);
    const before = await settled(orgId);
    expect(before.balanceNano).toBe(1_000_000 - ECHO);

    await deleteAccount(env, member.userId, { now: Date.now(), reason: "user_request", notify: false });

    // The key stops at once, and the organization's wallet is untouched by the member's closure.
    const refused = await chat(key, { model: "test-echo", max_tokens: 20 });
    expect(refused.status).toBe(401);
    const after = await settled(orgId);
    expect(after).toMatchObject({ status: "active", balanceNano: before.balanceNano, usageNano: ECHO });

    // The organization still sees the usage (attributed to the member's opaque id) and the member is gone.
    const usage = (await (await owner.fetch(`/api/orgs/${orgId}/usage?group_by=member`)).json()) as { data: { member: string; cost_nano: number }[] };
    expect(usage.data).toEqual([expect.objectContaining({ member: member.userId, cost_nano: ECHO })]);
    const members = (await (await owner.fetch(`/api/orgs/${orgId}/members`)).json()) as { data: { user_id: string }[] };
    expect(members.data.map((m) => m.user_id)).not.toContain(member.userId);

    // P27: the member's personal data is erased all the same.
    const profile = await env.DB.prepare("SELECT email, name, password_hash, status FROM users WHERE id = ?").bind(member.userId).first();
    expect(profile).toMatchObject({ email: `deleted-${member.userId}@invalid`, name: null, password_hash: null, status: "deleted" });
    expect(JSON.stringify(await (await owner.fetch(`/api/orgs/${orgId}/members`)).json())).not.toContain(member.email);

    const audit = await env.DB.prepare("SELECT action FROM audit_log WHERE target_user_id = ? AND detail LIKE ?").bind(member.userId, `${orgId}%`).all<{ action: string }>();
    expect(audit.results.map((r) => r.action)).toContain("org.member_left");
  });

  it("the last owner's deletion makes the longest-standing admin owner; with no admin the organization is audited ownerless", async () => {
    const owner = await signedInUser("0");
    const orgId = await createOrg(owner);
    const admin = await joinOrg(owner, orgId, "admin");
    await joinOrg(owner, orgId, "admin");
    await deleteAccount(env, owner.userId, { now: Date.now(), reason: "user_request", notify: false });
    const roles = await env.DB.prepare("SELECT user_id, role FROM org_members WHERE org_id = ? AND removed_at IS NULL ORDER BY joined_at").bind(orgId).all<{ user_id: string; role: string }>();
    expect(roles.results.map((r) => r.role)).toEqual(["owner", "admin"]);
    expect(roles.results[0]!.user_id).toBe(admin.userId);
    expect((await admin.fetch(`/api/orgs/${orgId}`)).status).toBe(200);

    const lone = await signedInUser("0");
    const lonely = await createOrg(lone);
    await joinOrg(lone, lonely, "member");
    await deleteAccount(env, lone.userId, { now: Date.now(), reason: "user_request", notify: false });
    const ownerless = await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'org.ownerless' AND detail LIKE ?").bind(`${lonely}%`).first<{ n: number }>();
    expect(ownerless?.n).toBe(1);
  });
});
