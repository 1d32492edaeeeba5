import { and, eq, ne, sql } from "drizzle-orm";
import { database } from "../../db/client";
import { authTokens, oauthAccounts, users } from "../../db/schema";
import type { Env } from "../../env";
import { accountStub } from "../../account/client";
import { newUserId } from "../../lib/ids";
import { authConfig } from "../config";
import { activateVerifiedAccount } from "../verification";
import { oauthFailure, type ProviderIdentity } from "./providers";

export interface LinkResult {
  userId: string;
  /** For issueSession: linking may have bumped it. */
  sessionVersion: number;
  /** existing: the identity was already linked; linked: joined to the account with that email; created: new account. */
  outcome: "existing" | "linked" | "created";
}

/**
 * Finds or creates the gateway account for a provider identity (whose email is verified):
 * 1. an identity already linked signs in to its account;
 * 2. else an account with the same email gets the identity linked;
 * 3. else a new account is created, but only when the start request accepted the Terms and
 *    confirmed the age (`terms`); otherwise `terms_required`.
 * Deleted accounts are never linked: a link left pointing at one is dropped.
 */
export async function linkIdentity(env: Env, id: ProviderIdentity, terms: boolean, now = Date.now(), retry = true): Promise<LinkResult> {
  const db = database(env.DB);
  const link = await db.select().from(oauthAccounts)
    .where(and(eq(oauthAccounts.provider, id.provider), eq(oauthAccounts.subject, id.subject))).get();
  if (link) {
    const user = await db.select().from(users).where(eq(users.id, link.userId)).get();
    if (user && user.status !== "deleted") {
      // Idempotent (the credit's ledger ref is fixed): finishes an activation a failed first sign-in left undone.
      await activateVerifiedAccount(env, user.id, now);
      return { userId: user.id, sessionVersion: user.sessionVersion, outcome: "existing" };
    }
    await db.delete(oauthAccounts).where(and(eq(oauthAccounts.provider, id.provider), eq(oauthAccounts.subject, id.subject)));
  }

  const owner = await db.select().from(users).where(and(eq(users.email, id.email), ne(users.status, "deleted"))).get();
  if (owner) return linkToOwner(env, owner, id, now);

  if (!terms) throw oauthFailure("terms_required", "A new account needs the Terms accepted and the age confirmed.");
  const userId = newUserId();
  const { termsVersion } = authConfig(env);
  try {
    await db.batch([
      db.insert(users).values({
        id: userId, email: id.email, name: id.name, status: "active", role: "user", createdAt: now, passwordHash: null,
        emailVerifiedAt: now, termsVersion, termsAcceptedAt: now, ageConfirmedAt: now,
      }),
      db.insert(oauthAccounts).values({ provider: id.provider, subject: id.subject, userId, createdAt: now }),
    ]);
  } catch (err) {
    // A concurrent sign-in or sign-up took the email or the identity first: resolve again, once.
    if (retry) return linkIdentity(env, id, terms, now, false);
    throw err;
  }
  // The provider verified the address, so the account starts active (self sign-ups start unverified)
  // and gets the sign-up credit like a verified self sign-up (granted once, by its ref).
  await accountStub(env, userId).init(userId, now, "active");
  await activateVerifiedAccount(env, userId, now);
  return { userId, sessionVersion: 0, outcome: "created" };
}

/**
 * Links the identity to the account that has its (provider-verified) email. If that account had
 * never verified the address, whoever set its password never proved owning the mailbox (someone
 * may have registered a victim's address in advance), so the password is removed, its sessions
 * end and every pending emailed token (email change, reset, verification) is deleted: a
 * change_email link the pre-registrant sent to their own address would otherwise still take the
 * account over. The mailbox owner can set a password again through a reset.
 */
async function linkToOwner(env: Env, owner: typeof users.$inferSelect, id: ProviderIdentity, now: number): Promise<LinkResult> {
  const db = database(env.DB);
  await db.insert(oauthAccounts).values({ provider: id.provider, subject: id.subject, userId: owner.id, createdAt: now }).onConflictDoNothing();
  if (owner.emailVerifiedAt !== null) return { userId: owner.id, sessionVersion: owner.sessionVersion, outcome: "linked" };

  // One batch: the password, the sessions and the pending tokens go together or not at all.
  const [updated] = await db.batch([
    db.update(users)
      .set({ emailVerifiedAt: now, passwordHash: null, sessionVersion: sql`${users.sessionVersion} + 1` })
      .where(eq(users.id, owner.id))
      .returning({ sessionVersion: users.sessionVersion }),
    db.delete(authTokens).where(eq(authTokens.userId, owner.id)),
  ]);
  // Opens API access (unverified → active) and grants the sign-up credit, as following a verification link would.
  await activateVerifiedAccount(env, owner.id, now);
  return { userId: owner.id, sessionVersion: updated[0]?.sessionVersion ?? owner.sessionVersion + 1, outcome: "linked" };
}
