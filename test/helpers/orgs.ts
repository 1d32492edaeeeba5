import { expect } from "vitest";
import { account } from "./gateway";
import { signedInUser, type SessionUser } from "./session";

/** A new organization owned by `owner`; returns its id (also its wallet's Durable Object name). */
export async function createOrg(owner: SessionUser, name = "Acme"): Promise<string> {
  const res = await owner.fetch("/api/orgs", { method: "POST", json: { name } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Credits the organization's wallet directly in its Durable Object (a grant with one ledger row). */
export async function fundOrg(orgId: string, amountNano: number): Promise<void> {
  const r = await account(orgId).credit(orgId, { kind: "grant", amountNano, ref: `test-${crypto.randomUUID()}`, note: "test" });
  expect(r.ok).toBe(true);
}

/** Invites a new verified user and accepts as them: the whole invitation flow. */
export async function joinOrg(by: SessionUser, orgId: string, role: "admin" | "member" | "billing" = "member"): Promise<SessionUser> {
  const member = await signedInUser("0");
  const inv = await by.fetch(`/api/orgs/${orgId}/invitations`, { method: "POST", json: { email: member.email, role } });
  expect(inv.status).toBe(201);
  const { token } = (await inv.json()) as { token: string };
  const accepted = await member.fetch("/api/orgs/invitations/accept", { method: "POST", json: { token } });
  expect(accepted.status).toBe(200);
  return member;
}

/** Creates an organization key as `member`; returns the key and its id. */
export async function orgKey(member: SessionUser, orgId: string, body: Record<string, unknown> = {}): Promise<{ key: string; id: string }> {
  const res = await member.fetch(`/api/orgs/${orgId}/keys`, { method: "POST", json: { name: "org key", ...body } });
  expect(res.status).toBe(201);
  return res.json();
}
