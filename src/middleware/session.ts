import { eq } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { readSessionCookie } from "../auth/cookies";
import { isRevoked } from "../auth/revocation";
import { readSession, type SessionClaims, type SessionUser } from "../auth/session";
import { database } from "../db/client";
import { users } from "../db/schema";
import type { Env } from "../env";
import { ApiError } from "../errors";

declare module "hono" {
  interface ContextVariableMap {
    user: SessionUser;
    session: SessionClaims;
  }
}

export const accountSuspended = () => new ApiError(403, "account_suspended", "This account is suspended: contact the operator.");

const unauthenticated = () => new ApiError(401, "invalid_session", "Sign in to continue: the session is missing, expired or revoked.");

/**
 * Cookie session: a valid JWT (pinned alg, iss, aud, exp) that was not signed out
 * (auth/revocation.ts), whose user exists, is not deleted, and whose session_version still
 * matches (so "log out everywhere", password and email changes end it). Suspended users get 403.
 */
export function sessionAuth(): MiddlewareHandler<{ Bindings: Env }> {
  return async function sessionAuth(c, next) {
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
    c.set("user", user);
    c.set("session", claims);
    await next();
  };
}

/** API use, key creation and top-ups need a verified email address. */
export function requireVerifiedEmail(): MiddlewareHandler<{ Bindings: Env }> {
  return async function requireVerifiedEmail(c, next) {
    if (c.get("user").emailVerifiedAt === null) {
      throw new ApiError(403, "email_not_verified", "Verify your email address first: we sent you a link when you signed up.");
    }
    await next();
  };
}

export function requireRole(role: "admin"): MiddlewareHandler<{ Bindings: Env }> {
  return async function requireRole(c, next) {
    if (c.get("user").role !== role) throw new ApiError(403, "forbidden", "This needs the admin role.");
    await next();
  };
}
