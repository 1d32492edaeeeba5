import { and, eq, isNull } from "drizzle-orm";
import { accountStub } from "../account/client";
import { audit } from "../admin/audit";
import { database } from "../db/client";
import { apiKeys, orgMembers, organizations } from "../db/schema";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { newOrgId } from "../lib/ids";
import type { Membership, OrgRole } from "./membership";

/** Every membership and role change is in the audit log: actor, action, the member concerned, the organization. */
export function auditOrg(env: Env, actor: string, action: string, member: string | null, orgId: string, note?: string, now = Date.now()) {
  return audit(env, { actor, action: `org.${action}`, targetUserId: member, detail: [orgId, note].filter(Boolean).join(" ") }, now);
}

/** A new organization: its row, the creator as owner, and its own wallet (a Durable Object addressed by the org id). */
export async function createOrganization(env: Env, userId: string, name: string) {
  const now = Date.now();
  const id = newOrgId();
  await database(env.DB).batch([
    database(env.DB).insert(organizations).values({ id, name, createdBy: userId, createdAt: now }),
    database(env.DB).insert(orgMembers).values({ orgId: id, userId, role: "owner", joinedAt: now }),
  ]);
  await accountStub(env, id).setMember(id, userId, {}, now);
  await auditOrg(env, userId, "created", userId, id, `role owner`, now);
  return { id, name, role: "owner" as OrgRole, created_at: new Date(now).toISOString() };
}

/** Adds (or re-adds) a member with a role: D1 membership, then the wallet's member row. */
export async function addMember(env: Env, orgId: string, userId: string, role: OrgRole, actor: string, now = Date.now()) {
  await database(env.DB).insert(orgMembers).values({ orgId, userId, role, joinedAt: now })
    .onConflictDoUpdate({ target: [orgMembers.orgId, orgMembers.userId], set: { role, joinedAt: now, removedAt: null } });
  await accountStub(env, orgId).setMember(orgId, userId, {}, now);
  await auditOrg(env, actor, "member_added", userId, orgId, `role ${role}`, now);
}

async function owners(env: Env, orgId: string): Promise<string[]> {
  const rows = await database(env.DB).select({ userId: orgMembers.userId }).from(orgMembers)
    .where(and(eq(orgMembers.orgId, orgId), eq(orgMembers.role, "owner"), isNull(orgMembers.removedAt))).all();
  return rows.map((r) => r.userId);
}

/** Only an owner makes or unmakes owners, and the last owner stays (transfer first). */
async function guardOwnership(env: Env, by: Membership, target: { userId: string; role: OrgRole }, newRole: OrgRole | null) {
  if ((target.role === "owner" || newRole === "owner") && by.role !== "owner" && by.userId !== target.userId) {
    throw new ApiError(403, "forbidden", "Only an owner can change an owner's membership or make an owner.");
  }
  if (target.role === "owner" && newRole !== "owner") {
    const left = await owners(env, by.orgId);
    if (left.length <= 1) throw new ApiError(409, "last_owner", "An organization keeps at least one owner: make another member owner first.");
  }
}

export async function changeRole(env: Env, by: Membership, target: { userId: string; role: OrgRole }, role: OrgRole) {
  await guardOwnership(env, by, target, role);
  await database(env.DB).update(orgMembers).set({ role }).where(and(eq(orgMembers.orgId, by.orgId), eq(orgMembers.userId, target.userId)));
  await auditOrg(env, by.userId, "role_changed", target.userId, by.orgId, `${target.role} -> ${role}`);
}

/**
 * Removal (by an owner or admin) or leaving (by the member): the wallet revokes the member's keys
 * in the same step as it marks them removed, so those keys stop on the very next request; D1
 * follows. The member's past usage stays the organization's record.
 */
export async function removeMember(env: Env, by: Membership, target: { userId: string; role: OrgRole }, now = Date.now()) {
  await guardOwnership(env, by, target, null);
  const revoked = await accountStub(env, by.orgId).removeMember(target.userId, now);
  await database(env.DB).update(orgMembers).set({ removedAt: now }).where(and(eq(orgMembers.orgId, by.orgId), eq(orgMembers.userId, target.userId)));
  await database(env.DB).update(apiKeys).set({ revokedAt: now }).where(and(eq(apiKeys.walletId, by.orgId), eq(apiKeys.userId, target.userId), isNull(apiKeys.revokedAt)));
  await auditOrg(env, by.userId, by.userId === target.userId ? "member_left" : "member_removed", target.userId, by.orgId, `${revoked.length} keys revoked`, now);
  return { user_id: target.userId, removed: true as const, keys_revoked: revoked.length };
}

/** Account deletion (P27): the member leaves every organization (their keys stop); the organizations' money and records stay. */
export async function leaveAllOrganizations(env: Env, userId: string, now = Date.now()) {
  const rows = await database(env.DB).select({ orgId: orgMembers.orgId, role: orgMembers.role }).from(orgMembers)
    .where(and(eq(orgMembers.userId, userId), isNull(orgMembers.removedAt))).all();
  for (const r of rows) {
    await accountStub(env, r.orgId).removeMember(userId, now);
    await database(env.DB).update(orgMembers).set({ removedAt: now }).where(and(eq(orgMembers.orgId, r.orgId), eq(orgMembers.userId, userId)));
    await auditOrg(env, userId, "member_left", userId, r.orgId, "account deleted", now);
    if (r.role === "owner") await succeedOwner(env, r.orgId, userId, now);
  }
}

/**
 * The last owner's account was deleted: the longest-standing admin becomes owner. With no admin,
 * the organization stays without an owner (audited as `org.ownerless`): its wallet, keys and
 * records are untouched, and the operator assigns an owner (docs/accounts.md).
 */
async function succeedOwner(env: Env, orgId: string, leaver: string, now: number) {
  if ((await owners(env, orgId)).length > 0) return;
  const db = database(env.DB);
  const admin = await db.select({ userId: orgMembers.userId }).from(orgMembers)
    .where(and(eq(orgMembers.orgId, orgId), eq(orgMembers.role, "admin"), isNull(orgMembers.removedAt)))
    .orderBy(orgMembers.joinedAt).limit(1).get();
  if (!admin) return auditOrg(env, leaver, "ownerless", null, orgId, "last owner's account deleted; no admin to succeed", now);
  await db.update(orgMembers).set({ role: "owner" }).where(and(eq(orgMembers.orgId, orgId), eq(orgMembers.userId, admin.userId)));
  await auditOrg(env, leaver, "role_changed", admin.userId, orgId, "admin -> owner (the last owner's account was deleted)", now);
}

/**
 * Deleting an organization (its owner): its wallet closes (status deleted, every key revoked, in one
 * step), memberships end and the row is marked deleted. The wallet's ledger and the usage records
 * stay; any remaining balance is settled by the operator (docs/accounts.md).
 */
export async function deleteOrganization(env: Env, by: Membership, now = Date.now()) {
  if (by.role !== "owner") throw new ApiError(403, "forbidden", "Only an owner can delete the organization.");
  await accountStub(env, by.orgId).closeAccount(now, by.orgId);
  const db = database(env.DB);
  await db.batch([
    db.update(organizations).set({ deletedAt: now }).where(eq(organizations.id, by.orgId)),
    db.update(orgMembers).set({ removedAt: now }).where(and(eq(orgMembers.orgId, by.orgId), isNull(orgMembers.removedAt))),
    db.update(apiKeys).set({ revokedAt: now }).where(and(eq(apiKeys.walletId, by.orgId), isNull(apiKeys.revokedAt))),
  ]);
  await auditOrg(env, by.userId, "deleted", null, by.orgId, undefined, now);
  return { id: by.orgId, deleted: true as const };
}
