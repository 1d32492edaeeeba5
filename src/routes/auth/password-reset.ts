import { Hono } from "hono";
import { z } from "zod";
import { appOrigin } from "../../auth/config";
import { clearSessionCookie } from "../../auth/cookies";
import { hashPassword } from "../../auth/password";
import { clientInfo, logSecurityEvent } from "../../auth/security-log";
import { enforce, LIMITS, limitsFor } from "../../auth/throttle";
import { consumeToken, createToken } from "../../auth/tokens";
import { findUserByEmail, resetPassword } from "../../auth/users";
import type { BaseEnv } from "../../env";
import { enqueueEmail } from "../../email/outbox";
import { validate } from "../../middleware/validate";
import { queueAfterResponse } from "./background";
import { emailField, newPasswordField } from "./schemas";
import { invalidToken } from "./verify-email";

const requestBody = z.strictObject({ email: emailField });
const confirmBody = z.strictObject({ token: z.string().min(1).max(200), password: newPasswordField });

/**
 * POST /password-reset/request {email} — always 202, whether or not the account exists (the
 * per-account limit is keyed by the address given, so it behaves the same for unknown ones), and
 * after the same synchronous work (throttle + one lookup); a known address's link is made later.
 * POST /password-reset/confirm {token, password} — sets the password and ends every session.
 */
export const passwordResetRoutes = new Hono<BaseEnv>()
  .post("/password-reset/request", validate("json", requestBody), async (c) => {
    const { email } = c.req.valid("json");
    const { ip, userAgent } = clientInfo(c);
    // Before the lookup: a missing APP_ORIGIN refuses every address alike (no enumeration).
    const linkBase = `${appOrigin(c.env, c.req.url)}/reset-password?token=`;
    await enforce(c.env, limitsFor("reset", { key: email, ...LIMITS.resetPerAccount }, { key: ip, ...LIMITS.resetPerIp }));
    const user = await findUserByEmail(c.env, email);
    if (user && user.status !== "deleted") {
      // The token, the mail and the log entry are written after the answer: a known address must
      // not take measurably longer to answer than an unknown one (account enumeration by timing).
      queueAfterResponse(c, async () => {
        const now = Date.now();
        const token = await createToken(c.env, { userId: user.id, purpose: "reset_password" }, now);
        await enqueueEmail(c.env, { userId: user.id, to: user.email, template: "reset_password", data: { link: `${linkBase}${token}` } }, now);
        await logSecurityEvent(c.env, { userId: user.id, kind: "password_reset_requested", outcome: "success", ip, userAgent }, now);
      });
    }
    return c.body(null, 202);
  })
  .post("/password-reset/confirm", validate("json", confirmBody), async (c) => {
    const { token, password } = c.req.valid("json");
    const { ip, userAgent } = clientInfo(c);
    await enforce(c.env, limitsFor("token", null, { key: ip, ...LIMITS.tokenPerIp }));
    const used = await consumeToken(c.env, token, ["reset_password"]);
    if (!used) throw invalidToken();
    // New hash and a bumped session_version in one statement: every existing session ends with the old password.
    await resetPassword(c.env, used.userId, await hashPassword(password));
    await logSecurityEvent(c.env, { userId: used.userId, kind: "password_reset", outcome: "success", ip, userAgent });
    clearSessionCookie(c);
    return c.body(null, 204);
  });
