import { env } from "cloudflare:test";
import { expect } from "vitest";
import { completed, standinStripe, uid, type Purchase, type TestEvent } from "../billing/stripe-helpers";
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

/**
 * An organization top-up started by `buyer` through POST /api/orgs/:id/topups/checkout (the stand-in
 * creates the session); nothing is paid yet. `metadata` is what the gateway sent to Stripe, which
 * Stripe echoes in the webhook's session object.
 */
export async function startOrgTopup(buyer: SessionUser, orgId: string, amountUsd: string, pi = uid("pi")): Promise<Purchase & { metadata: Record<string, string> }> {
  const res = await buyer.fetch(`/api/orgs/${orgId}/topups/checkout`, { method: "POST", json: { amount_usd: amountUsd } });
  if (res.status !== 200) throw new Error(`org checkout: ${res.status} ${await res.text()}`);
  const { checkout_id } = (await res.json()) as { checkout_id: string };
  const row = await env.DB.prepare("SELECT id, amount_cents FROM topups WHERE checkout_session_id = ?").bind(checkout_id).first<{ id: string; amount_cents: number }>();
  const session = (await standinStripe()).sessions.find((s) => s.id === checkout_id)!;
  return { userId: orgId, topupId: row!.id, sessionId: checkout_id, pi, charge: `ch_${pi.slice(3)}`, cents: row!.amount_cents, metadata: session.metadata };
}

/** checkout.session.completed (paid) for an organization's top-up, carrying the metadata the gateway sent (or `metadata`). */
export function orgCompleted(p: Purchase & { metadata: Record<string, string> }, metadata = p.metadata, id?: string): TestEvent {
  const e = completed(p, id);
  return { ...e, object: { ...e.object, metadata } };
}
