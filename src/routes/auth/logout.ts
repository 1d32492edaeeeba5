import { Hono } from "hono";
import { clearSessionCookie, readSessionCookie } from "../../auth/cookies";
import { revokeSession } from "../../auth/revocation";
import { readSession } from "../../auth/session";
import { clientInfo, logSecurityEvent } from "../../auth/security-log";
import { endAllSessions } from "../../auth/users";
import type { BaseEnv, Env } from "../../env";
import { sessionAuth } from "../../middleware/session";
import { currentUser } from "./current-user";

/**
 * POST /api/auth/logout ends this browser's session on the server (its id is revoked, so a copy
 * of the cookie stops working too) and clears the cookie. POST /api/auth/logout-all ends every
 * session, everywhere.
 */
export const logoutRoutes = new Hono<BaseEnv>()
  .post("/logout", async (c) => {
    const token = readSessionCookie(c);
    const claims = token ? await readSession(c.env, token) : null;
    const user = await currentUser(c);
    if (claims) await revokeSession(c.env, claims);
    if (user) await logSecurityEvent(c.env, { userId: user.id, kind: "sign_out", outcome: "success", ...clientInfo(c) });
    clearSessionCookie(c);
    return c.body(null, 204);
  })
  .post("/logout-all", sessionAuth(), async (c) => {
    const user = c.get("user");
    await endAllSessions(c.env, user.id);
    await logSecurityEvent(c.env, { userId: user.id, kind: "logout_all", outcome: "success", ...clientInfo(c) });
    clearSessionCookie(c);
    return c.body(null, 204);
  });
