import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { chat, settled } from "../helpers/gateway";
import { deliver } from "../billing/stripe-helpers";
import { createOrg, fundOrg, joinOrg, orgCompleted, orgKey, startOrgTopup } from "../helpers/orgs";
import { signedInUser, type SessionUser } from "../helpers/session";

/**
 * Organization A and organization B. B's owner and B's member walk every /api/orgs route aimed at
 * A (A's org id, A's members, A's keys, A's invitation): always 404 (A's existence is not
 * revealed) or their own data, never any of A's identifiers; A is unchanged afterwards. Then a
 * member removed from A tries the same: nothing, and their A key is refused. The routes come from
 * the app, so a new /api/orgs route without a probe fails the coverage test.
 */
interface A { orgId: string; owner: SessionUser; member: SessionUser; key: string; keyId: string; invitationToken: string; checkoutId: string; receiptId: string; markers: string[] }
interface Call { path: string; method?: string; json?: unknown }

let a: A;
let outsiders: SessionUser[];
let bOrg: string;
let bKeyId: string;

const PROBES: Record<string, (x: A) => Call[]> = {
  "GET /api/orgs": () => [{ path: "/api/orgs" }],
  "POST /api/orgs": () => [{ path: "/api/orgs", method: "POST", json: { name: "mine" } }],
  "GET /api/orgs/:id": (x) => [{ path: `/api/orgs/${x.orgId}` }],
  "DELETE /api/orgs/:id": (x) => [{ path: `/api/orgs/${x.orgId}`, method: "DELETE" }],
  "POST /api/orgs/invitations/accept": (x) => [{ path: "/api/orgs/invitations/accept", method: "POST", json: { token: x.invitationToken } }],
  "GET /api/orgs/:id/invitations": (x) => [{ path: `/api/orgs/${x.orgId}/invitations` }],
  "POST /api/orgs/:id/invitations": (x) => [{ path: `/api/orgs/${x.orgId}/invitations`, method: "POST", json: { email: "intruder@example.test", role: "admin" } }],
  "GET /api/orgs/:id/members": (x) => [{ path: `/api/orgs/${x.orgId}/members` }],
  "PATCH /api/orgs/:id/members/:userId": (x) => [{ path: `/api/orgs/${x.orgId}/members/${x.member.userId}`, method: "PATCH", json: { role: "owner", spend_limit_usd: "0" } }],
  "DELETE /api/orgs/:id/members/:userId": (x) => [{ path: `/api/orgs/${x.orgId}/members/${x.member.userId}`, method: "DELETE" }],
  "GET /api/orgs/:id/keys": (x) => [{ path: `/api/orgs/${x.orgId}/keys` }],
  "POST /api/orgs/:id/keys": (x) => [{ path: `/api/orgs/${x.orgId}/keys`, method: "POST", json: { name: "stolen" } }],
  "PATCH /api/orgs/:id/keys/:keyId": (x) => [
    { path: `/api/orgs/${x.orgId}/keys/${x.keyId}`, method: "PATCH", json: { rpm: 1 } },
    // Aimed at A's key through the outsider's own organization.
    { path: `/api/orgs/${bOrg}/keys/${x.keyId}`, method: "PATCH", json: { rpm: 1 } },
  ],
  "DELETE /api/orgs/:id/keys/:keyId": (x) => [
    { path: `/api/orgs/${x.orgId}/keys/${x.keyId}`, method: "DELETE" },
    { path: `/api/orgs/${bOrg}/keys/${x.keyId}`, method: "DELETE" },
  ],
  "GET /api/orgs/:id/usage": (x) => [{ path: `/api/orgs/${x.orgId}/usage?group_by=member` }, { path: `/api/orgs/${x.orgId}/usage?group_by=key&format=csv` }],
  "GET /api/orgs/:id/provider-keys": (x) => [{ path: `/api/orgs/${x.orgId}/provider-keys` }],
  "PUT /api/orgs/:id/provider-keys/:provider": (x) => [{ path: `/api/orgs/${x.orgId}/provider-keys/openai`, method: "PUT", json: { key: "sk-intruder-0123456789" } }],
  "DELETE /api/orgs/:id/provider-keys/:provider": (x) => [{ path: `/api/orgs/${x.orgId}/provider-keys/openai`, method: "DELETE" }],
  "GET /api/orgs/:id/management-keys": (x) => [{ path: `/api/orgs/${x.orgId}/management-keys` }],
  "POST /api/orgs/:id/topups/checkout": (x) => [{ path: `/api/orgs/${x.orgId}/topups/checkout`, method: "POST", json: { amount_usd: "10.00" } }],
  "GET /api/orgs/:id/topups/checkout/:checkoutId": (x) => [
    { path: `/api/orgs/${x.orgId}/topups/checkout/${x.checkoutId}` },
    { path: `/api/orgs/${bOrg}/topups/checkout/${x.checkoutId}` },
  ],
  "GET /api/orgs/:id/receipts": (x) => [{ path: `/api/orgs/${x.orgId}/receipts` }],
  "GET /api/orgs/:id/receipts/:receiptId": (x) => [{ path: `/api/orgs/${x.orgId}/receipts/${x.receiptId}` }, { path: `/api/orgs/${bOrg}/receipts/${x.receiptId}` }],
};

function orgRoutes(): string[] {
  return [...new Set(createApp().routes.filter((r) => r.method !== "ALL" && r.path.startsWith("/api/orgs")).map((r) => `${r.method} ${r.path.replace(/\/$/, "")}`))].sort();
}

async function expectNothingOfA(u: SessionUser, label: string) {
  for (const [route, calls] of Object.entries(PROBES)) {
    for (const call of calls(a)) {
      const res = await u.fetch(call.path, { method: call.method ?? "GET", json: call.json });
      const text = await res.text();
      expect([200, 201, 400, 403, 404], `${label} ${route} ${call.path} → ${res.status} ${text.slice(0, 160)}`).toContain(res.status);
      // (A refusal may repeat the id the caller sent; an answer must carry nothing of A.)
      if (res.status < 300) expect(a.markers.filter((m) => text.includes(m)), `${label} ${route} leaked`).toEqual([]);
      // Anything aimed at A itself is answered as if A did not exist.
      if (call.path.includes(a.orgId)) expect(res.status, `${label} ${call.path}`).toBe(404);
    }
  }
}

async function expectAUnchanged() {
  const members = (await (await a.owner.fetch(`/api/orgs/${a.orgId}/members`)).json()) as { data: { user_id: string; role: string; spend_limit_usd: string | null }[] };
  expect(members.data.map((m) => [m.user_id, m.role, m.spend_limit_usd]).sort()).toEqual([[a.owner.userId, "owner", null], [a.member.userId, "member", null]].sort());
  const keys = (await (await a.owner.fetch(`/api/orgs/${a.orgId}/keys`)).json()) as { data: { id: string; rpm: number | null; revoked_at: string | null }[] };
  expect(keys.data.filter((k) => k.revoked_at === null)).toEqual([expect.objectContaining({ id: a.keyId, rpm: null, revoked_at: null })]);
  expect(((await (await a.owner.fetch(`/api/orgs/${a.orgId}/provider-keys`)).json()) as { data: unknown[] }).data).toEqual([]);
  expect(((await (await a.owner.fetch(`/api/orgs/${a.orgId}/invitations`)).json()) as { data: { email: string }[] }).data.map((i) => i.email)).toEqual(["pending@example.test"]);
  const receipts = (await (await a.owner.fetch(`/api/orgs/${a.orgId}/receipts`)).json()) as { data: { id: string }[] };
  expect(receipts.data.map((r) => r.id)).toEqual([a.receiptId]);
  const topups = await env.DB.prepare("SELECT count(*) AS n FROM topups WHERE user_id = ?").bind(a.orgId).first<{ n: number }>();
  expect(topups?.n).toBe(1);
  const res = await chat(a.key, { model: "test-echo", max_tokens: 20 });
  expect(res.status).toBe(200);
  await res.text();
}

beforeAll(async () => {
  const owner = await signedInUser("0");
  const orgId = await createOrg(owner, "Org A");
  await fundOrg(orgId, 10_000_000);
  const member = await joinOrg(owner, orgId);
  const k = await orgKey(member, orgId, { name: "a-key" });
  expect((await chat(k.key, { model: "test-echo", max_tokens: 20 })).status).toBe(200);
  await settled(orgId);
  const inv = await owner.fetch(`/api/orgs/${orgId}/invitations`, { method: "POST", json: { email: "pending@example.test" } });
  const { token } = (await inv.json()) as { token: string };
  const topup = await startOrgTopup(owner, orgId, "10.00");
  expect(await deliver(orgCompleted(topup))).toBe(200);
  a = {
    orgId, owner, member, key: k.key, keyId: k.id, invitationToken: token, checkoutId: topup.sessionId, receiptId: topup.topupId,
    markers: [orgId, owner.userId, owner.email, member.userId, member.email, k.id, k.key.slice(-43), "Org A", topup.sessionId, topup.topupId],
  };
  const bOwner = await signedInUser("0");
  bOrg = await createOrg(bOwner, "Org B");
  await fundOrg(bOrg, 1_000_000);
  const bMember = await joinOrg(bOwner, bOrg);
  bKeyId = (await orgKey(bMember, bOrg)).id;
  outsiders = [bOwner, bMember];
}, 60_000);

describe("organizations are isolated from each other", () => {
  it("every /api/orgs route has a probe", () => {
    expect(orgRoutes().filter((r) => !(r in PROBES))).toEqual([]);
  });

  it("B's owner and B's member can read or change nothing of organization A", async () => {
    await expectNothingOfA(outsiders[0]!, "B owner");
    await expectNothingOfA(outsiders[1]!, "B member");
    await expectAUnchanged();
  });

  it("A's owner cannot reach B's key through A, nor an organization key through /api/me/keys", async () => {
    expect((await a.owner.fetch(`/api/orgs/${a.orgId}/keys/${bKeyId}`, { method: "DELETE" })).status).toBe(404);
    expect((await a.member.fetch(`/api/me/keys/${a.keyId}`, { method: "DELETE" })).status).toBe(404);
    expect((await a.member.fetch(`/api/me/keys/${a.keyId}`, { method: "PATCH", json: { rpm: 1 } })).status).toBe(404);
  });

  it("a member removed from A can read or change nothing of A, and their A key is refused at once", async () => {
    const removed = await joinOrg(a.owner, a.orgId);
    const k = await orgKey(removed, a.orgId);
    expect((await a.owner.fetch(`/api/orgs/${a.orgId}/members/${removed.userId}`, { method: "DELETE" })).status).toBe(200);
    expect((await chat(k.key, { model: "test-echo", max_tokens: 20 })).status).toBe(401);
    await expectNothingOfA(removed, "removed member");
    await expectAUnchanged();
    const audit = await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'org.member_removed' AND target_user_id = ?").bind(removed.userId).first<{ n: number }>();
    expect(audit?.n).toBe(1);
  });
});
