import { Hono } from "hono";
import { appOrigin } from "../../auth/config";
import { clientInfo, logSecurityEvent } from "../../auth/security-log";
import { enforce, LIMITS, limitsFor } from "../../auth/throttle";
import { consumeToken, releaseToken } from "../../auth/tokens";
import { activateVerifiedAccount, queueVerificationEmail } from "../../auth/verification";
import { changeUserEmail, findSessionVersion, findUserById } from "../../auth/users";
import type { BaseEnv, Env } from "../../env";
import { ApiError } from "../../errors";
import { enqueueEmail } from "../../email/outbox";
import { sessionAuth } from "../../middleware/session";
import { validate } from "../../middleware/validate";
import { sendQueuedMail } from "./background";
import { currentUser } from "./current-user";
import { startSession } from "./start-session";
import { tokenBody } from "./schemas";

export const invalidToken = () => new ApiError(400, "invalid_token", "This link is invalid, was already used or has expired. Ask for a new one.", { param: "token" });

/**
 * A confirmed email change: the new address replaces the old one, which gets a notice, and
 * session_version is bumped in the same statement, so every session ends (the browser that
 * followed the link, if signed in as this user, gets a new one).
 */
async function applyEmailChange(env: Env, userId: string, newEmail: string, now: number): Promise<void> {
  const before = await findUserById(env, userId);
  if (!before) throw invalidToken();
  if (before.email === newEmail) return; // a retry after a failure further on: already applied
  try {
    await changeUserEmail(env, userId, newEmail);
  } catch (err) {
    if (/UNIQUE/i.test(String((err as Error).message))) throw new ApiError(409, "email_taken", "Another account uses this address now.", { param: "email" });
    throw err;
  }
  await enqueueEmail(env, { userId, to: before.email, template: "email_changed", data: { new_email: newEmail } }, now);
}

/**
 * POST /api/auth/verify-email {token} — follows a verification or email-change link. The token
 * is consumed atomically (one use); if the work after it fails, the token is given back.
 * POST /api/auth/resend-verification (session) — a new link, limited per account and per IP.
 */
export const verifyEmailRoutes = new Hono<BaseEnv>()
  .post("/verify-email", validate("json", tokenBody), async (c) => {
    const { token } = c.req.valid("json");
    const { ip, userAgent } = clientInfo(c);
    await enforce(c.env, limitsFor("token", null, { key: ip, ...LIMITS.tokenPerIp }));
    const now = Date.now();
    const signedIn = await currentUser(c);
    const used = await consumeToken(c.env, token, ["verify_email", "change_email"], now);
    if (!used) throw invalidToken();
    try {
      if (used.purpose === "change_email" && used.email) await applyEmailChange(c.env, used.userId, used.email, now);
      await activateVerifiedAccount(c.env, used.userId, now);
    } catch (err) {
      await releaseToken(c.env, token);
      throw err;
    }
    if (used.purpose === "change_email" && signedIn?.id === used.userId) {
      const fresh = await findSessionVersion(c.env, used.userId);
      if (fresh) await startSession(c, fresh);
    }
    const kind = used.purpose === "change_email" ? "email_changed" : "email_verified";
    await logSecurityEvent(c.env, { userId: used.userId, kind, outcome: "success", ip, userAgent }, now);
    sendQueuedMail(c);
    return c.json({ verified: true });
  })
  .post("/resend-verification", sessionAuth(), async (c) => {
    const user = c.get("user");
    const { ip, userAgent } = clientInfo(c);
    const origin = appOrigin(c.env, c.req.url);
    await enforce(c.env, limitsFor("resend", { key: user.id, ...LIMITS.resendPerAccount }, { key: ip, ...LIMITS.resendPerIp }));
    // Already verified: nothing to send; the answer is the same.
    if (user.emailVerifiedAt === null) {
      await queueVerificationEmail(c.env, user, origin);
      await logSecurityEvent(c.env, { userId: user.id, kind: "verification_sent", outcome: "success", ip, userAgent });
      sendQueuedMail(c);
    }
    return c.body(null, 202);
  });
