import { and, desc, eq, gte, lt, or, sql, type SQL } from "drizzle-orm";
import { database } from "../db/client";
import { users } from "../db/schema";
import type { Env } from "../env";
import { USER_ID } from "../lib/ids";

/**
 * The users aggregate (D1 table `users`): accounts, their credentials, role, status and
 * session_version. Routes call these functions instead of querying the table themselves.
 */
export type UserRow = typeof users.$inferSelect;
export type NewUserRow = typeof users.$inferInsert;

export async function findUserById(env: Env, id: string): Promise<UserRow | undefined> {
  return database(env.DB).select().from(users).where(eq(users.id, id)).get();
}

export async function findUserByEmail(env: Env, email: string): Promise<UserRow | undefined> {
  return database(env.DB).select().from(users).where(eq(users.email, email)).get();
}

/** The account that holds an address, if any (id and address only). */
export async function findEmailOwner(env: Env, email: string): Promise<{ id: string; email: string } | undefined> {
  return database(env.DB).select({ id: users.id, email: users.email }).from(users).where(eq(users.email, email)).get();
}

/** The id and current session_version of a user, to issue a session. */
export async function findSessionVersion(env: Env, id: string): Promise<{ id: string; sessionVersion: number } | undefined> {
  return database(env.DB).select({ id: users.id, sessionVersion: users.sessionVersion }).from(users).where(eq(users.id, id)).get();
}

/** Adds an account row; throws the unique-index error when the address is taken. */
export async function insertUser(env: Env, row: NewUserRow): Promise<void> {
  await database(env.DB).insert(users).values(row);
}

export async function setUserLocale(env: Env, id: string, locale: string): Promise<void> {
  await database(env.DB).update(users).set({ locale }).where(eq(users.id, id));
}

/** The dashboard's copy of the low-balance threshold (the wallet's Durable Object holds the one that acts); null clears it. */
export async function setLowBalanceThreshold(env: Env, id: string, thresholdNano: number | null): Promise<void> {
  await database(env.DB).update(users).set({ lowBalanceThresholdNano: thresholdNano }).where(eq(users.id, id));
}

export async function setUserRole(env: Env, id: string, role: "user" | "admin"): Promise<void> {
  await database(env.DB).update(users).set({ role }).where(eq(users.id, id));
}

export async function setPasswordHash(env: Env, id: string, passwordHash: string): Promise<void> {
  await database(env.DB).update(users).set({ passwordHash }).where(eq(users.id, id));
}

/** Ends every session of a user: tokens carry the session_version they were issued with. */
export async function endAllSessions(env: Env, userId: string): Promise<void> {
  await database(env.DB).update(users).set({ sessionVersion: sql`${users.sessionVersion} + 1` }).where(eq(users.id, userId));
}

/**
 * New hash and a bumped session_version in one statement: every existing session ends with the old
 * password. Answers the new session_version (to start the one session that continues); undefined
 * when no such account.
 */
export async function resetPassword(env: Env, id: string, passwordHash: string): Promise<number | undefined> {
  const updated = await database(env.DB).update(users)
    .set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, id)).returning({ sessionVersion: users.sessionVersion }).get();
  return updated?.sessionVersion;
}

/** The profile fields a user edits; an empty change writes nothing. */
export async function updateProfile(env: Env, id: string, change: { name?: string; company?: string | null }): Promise<void> {
  if (Object.keys(change).length > 0) await database(env.DB).update(users).set(change).where(eq(users.id, id));
}

/** The new address and a bumped session_version in one statement; throws the unique-index error when taken. */
export async function changeUserEmail(env: Env, id: string, email: string): Promise<void> {
  await database(env.DB).update(users).set({ email, sessionVersion: sql`${users.sessionVersion} + 1` }).where(eq(users.id, id));
}

/** Suspending also bumps session_version (every session ends); unsuspending sets the status back to active. */
export async function setUserSuspended(env: Env, id: string, suspended: boolean): Promise<void> {
  await database(env.DB).update(users)
    .set(suspended ? { status: "suspended", sessionVersion: sql`${users.sessionVersion} + 1` } : { status: "active" })
    .where(eq(users.id, id));
}

/** The largest code point: every string that starts with `p` sorts below p + this (an index range scan). */
const AFTER_PREFIX = "\u{10FFFF}";

function search(q: string | undefined): SQL | undefined {
  if (!q) return undefined;
  if (USER_ID.test(q)) return eq(users.id, q);
  return and(gte(users.email, q), lt(users.email, q + AFTER_PREFIX));
}

export interface UserListQuery { q?: string; after?: { createdAt: number; id: string }; limit: number }

/** Users newest first, filtered by an email prefix or an exact id, after a keyset cursor; at most `limit` rows. */
export async function listUsers(env: Env, { q, after, limit }: UserListQuery) {
  const where: (SQL | undefined)[] = [search(q)];
  if (after) {
    where.push(or(lt(users.createdAt, after.createdAt), and(eq(users.createdAt, after.createdAt), lt(users.id, after.id))));
  }
  return database(env.DB).select({
    id: users.id, email: users.email, name: users.name, status: users.status, role: users.role, createdAt: users.createdAt,
  }).from(users).where(and(...where)).orderBy(desc(users.createdAt), desc(users.id)).limit(limit).all();
}

/** One page (by id) of active users with a verified address: the audience of notices. */
export async function noticeRecipients(env: Env, afterId: string, limit: number): Promise<{ id: string; email: string }[]> {
  const { results } = await env.DB.prepare(
    `SELECT id, email FROM users WHERE status = 'active' AND email_verified_at IS NOT NULL AND deleted_at IS NULL AND id > ?
         ORDER BY id LIMIT ?`,
  ).bind(afterId, limit).all<{ id: string; email: string }>();
  return results;
}
