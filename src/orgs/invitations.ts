import { and, eq, isNull } from "drizzle-orm";
import { sessionKey } from "../auth/config";
import { database } from "../db/client";
import { orgInvitations } from "../db/schema";
import { enqueueEmail } from "../email/outbox";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { sha256Hex } from "../lib/api-key";
import { sameString } from "../lib/compare";
import { newId } from "../lib/ids";
import type { Membership, OrgRole } from "./membership";
import { addMember } from "./organizations";

const INVITATION_TTL_MS = 7 * 86_400_000;

/** HMAC-SHA-256 (under the session signing key) over the invitation's id, organization, email, role and expiry. */
async function signature(env: Env, fields: string[]): Promise<string> {
  const key = await crypto.subtle.importKey("raw", Uint8Array.from(sessionKey(env)), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(["org-invitation-v1", ...fields].join("\n"))));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * An invitation by email: a signed, expiring token (`<id>.<signature>`) in a link, mailed to the
 * address; only its SHA-256 is stored. Returns the link too, so an admin can pass it on by hand.
 */
export async function invite(env: Env, by: Membership, email: string, role: Exclude<OrgRole, "owner">, origin: string) {
  const now = Date.now();
  const id = newId("inv_", now);
  const expiresAt = now + INVITATION_TTL_MS;
  const address = email.toLowerCase();
  const token = `${id}.${await signature(env, [id, by.orgId, address, role, String(expiresAt)])}`;
  await database(env.DB).insert(orgInvitations).values({ id, orgId: by.orgId, email: address, role, tokenHash: await sha256Hex(token), invitedBy: by.userId, createdAt: now, expiresAt });
  const link = `${origin}/organizations?invitation=${encodeURIComponent(token)}`;
  await enqueueEmail(env, { userId: null, to: address, template: "org_invitation", data: { link, org_name: by.orgName, role } }, now);
  return { id, email: address, role, expires_at: new Date(expiresAt).toISOString(), token, link };
}

const invalid = () => new ApiError(400, "invalid_invitation", "This invitation link is invalid, expired, already used, or for another email address.", { param: "token" });

/**
 * Accepts an invitation as the signed-in user: the signature must verify, the invitation must be
 * unexpired and unused, and it must be addressed to the user's own (verified) email. The
 * invitation is used up in the same statement that checks it is unused.
 */
export async function acceptInvitation(env: Env, token: string, user: { id: string; email: string; emailVerifiedAt: number | null }) {
  const [id, sig] = token.split(".");
  if (!id || !sig) throw invalid();
  const db = database(env.DB);
  const inv = await db.select().from(orgInvitations).where(eq(orgInvitations.id, id)).get();
  const now = Date.now();
  if (!inv || inv.acceptedAt !== null || inv.expiresAt <= now) throw invalid();
  if (!sameString(sig, await signature(env, [inv.id, inv.orgId, inv.email, inv.role, String(inv.expiresAt)]))) throw invalid();
  if (inv.tokenHash !== (await sha256Hex(token)) || inv.email !== user.email.toLowerCase() || user.emailVerifiedAt === null) throw invalid();
  const used = await db.update(orgInvitations).set({ acceptedAt: now, acceptedBy: user.id })
    .where(and(eq(orgInvitations.id, inv.id), isNull(orgInvitations.acceptedAt))).returning({ id: orgInvitations.id });
  if (used.length === 0) throw invalid();
  await addMember(env, inv.orgId, user.id, inv.role, inv.invitedBy, now);
  return { organization_id: inv.orgId, role: inv.role };
}

export async function pendingInvitations(env: Env, orgId: string) {
  const rows = await database(env.DB).select().from(orgInvitations).where(and(eq(orgInvitations.orgId, orgId), isNull(orgInvitations.acceptedAt))).all();
  const now = Date.now();
  return rows.filter((r) => r.expiresAt > now).map((r) => ({ id: r.id, email: r.email, role: r.role, expires_at: new Date(r.expiresAt).toISOString() }));
}
