import { and, eq, isNull } from "drizzle-orm";
import { database } from "../db/client";
import { orgMembers, organizations, users } from "../db/schema";
import type { Env } from "../env";
import { ApiError } from "../errors";

export type OrgRole = "owner" | "admin" | "member" | "billing";
export interface Membership { orgId: string; orgName: string; userId: string; role: OrgRole }

/** Owners and admins manage members and keys; billing members see the money; members use keys. */
export const MANAGERS: readonly OrgRole[] = ["owner", "admin"];
export const MONEY_ROLES: readonly OrgRole[] = ["owner", "admin", "billing"];

const notFound = (orgId: string) => new ApiError(404, "organization_not_found", `No organization '${orgId}'.`, { param: "id" });

/**
 * The caller's current membership of an organization. A non-member, a removed member and an
 * unknown or deleted organization all get the same 404: nobody outside learns it exists.
 */
export async function membership(env: Env, orgId: string, userId: string): Promise<Membership> {
  const row = await database(env.DB)
    .select({ orgId: orgMembers.orgId, role: orgMembers.role, orgName: organizations.name })
    .from(orgMembers).innerJoin(organizations, eq(organizations.id, orgMembers.orgId))
    .where(and(eq(orgMembers.orgId, orgId), eq(orgMembers.userId, userId), isNull(orgMembers.removedAt), isNull(organizations.deletedAt)))
    .get();
  if (!row) throw notFound(orgId);
  return { orgId: row.orgId, orgName: row.orgName, userId, role: row.role };
}

/** The membership, if its role is one of `roles`; 403 otherwise (the caller is a member, so the organization's existence is no secret). */
export async function withRole(env: Env, orgId: string, userId: string, roles: readonly OrgRole[]): Promise<Membership> {
  const m = await membership(env, orgId, userId);
  if (!roles.includes(m.role)) throw new ApiError(403, "forbidden", `This needs one of the roles ${roles.join(", ")} in the organization; you are ${m.role}.`);
  return m;
}

export async function myOrganizations(env: Env, userId: string) {
  return database(env.DB)
    .select({ id: organizations.id, name: organizations.name, role: orgMembers.role, joined_at: orgMembers.joinedAt })
    .from(orgMembers).innerJoin(organizations, eq(organizations.id, orgMembers.orgId))
    .where(and(eq(orgMembers.userId, userId), isNull(orgMembers.removedAt), isNull(organizations.deletedAt)))
    .all();
}

/** Another user's current role in the organization; undefined when they are not (or no longer) a member. */
export async function memberRole(env: Env, orgId: string, userId: string): Promise<OrgRole | undefined> {
  const row = await database(env.DB).select({ role: orgMembers.role }).from(orgMembers)
    .where(and(eq(orgMembers.orgId, orgId), eq(orgMembers.userId, userId), isNull(orgMembers.removedAt))).get();
  return row?.role;
}

/** The organization's current members with their addresses. */
export async function listMembers(env: Env, orgId: string) {
  return database(env.DB).select({ userId: orgMembers.userId, role: orgMembers.role, joinedAt: orgMembers.joinedAt, email: users.email })
    .from(orgMembers).innerJoin(users, eq(users.id, orgMembers.userId))
    .where(and(eq(orgMembers.orgId, orgId), isNull(orgMembers.removedAt))).all();
}
