import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { readSessionCookie } from "../auth/cookies";
import { isRevoked } from "../auth/revocation";
import { readSession, type SessionClaims, type SessionUser } from "../auth/session";
import { database } from "../db/client";
import { users } from "../db/schema";
import type { BaseEnv, Env } from "../env";
import { ApiError } from "../errors";

/** What sessionAuth() sets: the signed-in user and the claims of their session. */
export type SessionVariables = { user: SessionUser; session: SessionClaims };
/** The Hono environment of a router behind sessionAuth(). */
export type SessionEnv = { Bindings: Env; Variables: SessionVariables };

export const accountSuspended = () => new ApiError(403, "account_suspended", "This account is suspended: contact the operator.");

const unauthenticated = () => new ApiError(401, "invalid_session", "Sign in to continue: the session is missing, expired or revoked.");

/**
 * The cookie session's user: a valid JWT (pinned alg, iss, aud, exp) that was not signed out
 * (auth/revocation.ts), whose user exists, is not deleted, and whose session_version still
 * matches (so "log out everywhere", password and email changes end it). Suspended users get 403.
 */
export async function authenticateSession<E extends BaseEnv>(c: Context<E>): Promise<SessionVariables> {
  const token = readSessionCookie(c);
  if (!token) throw unauthenticated();
  const claims = await readSession(c.env, token);
  if (!claims) throw unauthenticated();
  const [user, revoked] = await Promise.all([
    database(c.env.DB).select().from(users).where(eq(users.id, claims.sub)).get(),
    isRevoked(c.env, claims.sid),
  ]);
  if (!user || revoked || user.status === "deleted" || user.sessionVersion !== claims.ver) throw unauthenticated();
  if (user.status === "suspended") throw accountSuspended();
  return { user, session: claims };
}

/** Cookie session (see authenticateSession); sets c.var.user and c.var.session. */
export function sessionAuth() {
  return createMiddleware<SessionEnv>(async function sessionAuth(c, next) {
    const { user, session } = await authenticateSession(c);
    c.set("user", user);
    c.set("session", session);
    await next();
  });
}

/** API use, key creation and top-ups need a verified email address. Runs after sessionAuth(). */
export function requireVerifiedEmail() {
  return createMiddleware<SessionEnv>(async function requireVerifiedEmail(c, next) {
    if (c.get("user").emailVerifiedAt === null) {
      throw new ApiError(403, "email_not_verified", "Verify your email address first: we sent you a link when you signed up.");
    }
    await next();
  });
}
