import type { Context } from "hono";
import { readSessionCookie } from "../../auth/cookies";
import { isRevoked } from "../../auth/revocation";
import { readSession } from "../../auth/session";
import { findUserById } from "../../auth/users";
import type { BaseEnv, Env } from "../../env";
import type { SessionUser } from "../../auth/session";

/** The signed-in user, when there is a valid session (same checks as sessionAuth), else null. */
export async function currentUser<E extends BaseEnv>(c: Context<E>): Promise<SessionUser | null> {
  const token = readSessionCookie(c);
  if (!token) return null;
  const claims = await readSession(c.env, token);
  if (!claims) return null;
  const [user, revoked] = await Promise.all([
    findUserById(c.env, claims.sub),
    isRevoked(c.env, claims.sid),
  ]);
  return user && !revoked && user.status !== "deleted" && user.status !== "suspended" && user.sessionVersion === claims.ver ? user : null;
}
