import { Hono } from "hono";
import { z } from "zod";
import { appOrigin } from "../../auth/config";
import { tellOwnerAddressInUse } from "../../auth/address-in-use";
import { hashPassword } from "../../auth/password";
import { reauthenticate } from "../../auth/reauth";
import { clientInfo, logSecurityEvent } from "../../auth/security-log";
import { createToken } from "../../auth/tokens";
import { findEmailOwner, resetPassword, updateProfile } from "../../auth/users";
import { enqueueEmail } from "../../email/outbox";
import { ApiError } from "../../errors";
import { requireVerifiedEmail, type SessionEnv } from "../../middleware/session";
import { validate } from "../../middleware/validate";
import { sendQueuedMail } from "../auth/background";
import { emailField, newPasswordField, passwordField } from "../auth/schemas";
import { startSession } from "../auth/start-session";
import { userView } from "../auth/user-view";

const patchBody = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  company: z.string().trim().max(200).nullable().optional(),
});
const emailBody = z.strictObject({ email: emailField, password: passwordField.optional() });
const passwordBody = z.strictObject({ current_password: passwordField.optional(), new_password: newPasswordField });

/**
 * The signed-in user's profile at /api/me (sessionAuth and CSRF come from the /api/me router).
 * Email changes apply only when the link sent to the NEW address is followed (POST
 * /api/auth/verify-email); the old address is told once the change is made. An address that
 * belongs to another account gets the same 202 (no enumeration) and its owner an email instead.
 */
export const profile = new Hono<SessionEnv>()
  .get("/profile", (c) => c.json({ user: userView(c.get("user")) }))
  .patch("/profile", validate("json", patchBody), async (c) => {
    const { name, company } = c.req.valid("json");
    const user = c.get("user");
    const change = { ...(name !== undefined ? { name } : {}), ...(company !== undefined ? { company: company || null } : {}) };
    await updateProfile(c.env, user.id, change);
    return c.json({ user: userView({ ...user, ...change }) });
  })
  // Only from a verified address: following a change_email link also verifies the new one, so an
  // account that never proved owning its address (perhaps a victim's, registered in advance) could
  // otherwise move itself to an address its registrant reads and survive the owner's OAuth sign-in.
  .post("/email", requireVerifiedEmail(), validate("json", emailBody), async (c) => {
    const { email, password } = c.req.valid("json");
    const user = c.get("user");
    const { ip, userAgent } = clientInfo(c);
    await reauthenticate(c.env, { user, session: c.get("session") }, password, "password");
    if (email === user.email) throw new ApiError(400, "same_email", "This is already your email address.", { param: "email" });
    const origin = appOrigin(c.env, c.req.url);
    const now = Date.now();
    const owner = await findEmailOwner(c.env, email);
    const taken = owner?.id !== user.id ? owner : undefined;
    if (taken) {
      // The same 202 as for a free address (no enumeration); the address's owner is told instead.
      await tellOwnerAddressInUse(c.env, taken, "email_change", origin, now);
    } else {
      const token = await createToken(c.env, { userId: user.id, purpose: "change_email", email }, now);
      await enqueueEmail(c.env, { userId: user.id, to: email, template: "change_email", data: { link: `${origin}/verify-email?token=${token}`, new_email: email } }, now);
    }
    await logSecurityEvent(c.env, { userId: user.id, kind: "email_change_requested", outcome: "success", ip, userAgent }, now);
    sendQueuedMail(c);
    return c.body(null, 202);
  })
  .post("/password", validate("json", passwordBody), async (c) => {
    const { current_password, new_password } = c.req.valid("json");
    const user = c.get("user");
    await reauthenticate(c.env, { user, session: c.get("session") }, current_password, "current_password");
    // A new hash and a bumped session_version together: every other session ends; this browser gets a new one.
    const sessionVersion = await resetPassword(c.env, user.id, await hashPassword(new_password));
    // The account was deleted meanwhile: the session middleware's answer for a session without an account.
    if (sessionVersion === undefined) throw new ApiError(401, "invalid_session", "Sign in to continue: the session is missing, expired or revoked.");
    await logSecurityEvent(c.env, { userId: user.id, kind: "password_changed", outcome: "success", ...clientInfo(c) });
    await startSession(c, { id: user.id, sessionVersion });
    return c.body(null, 204);
  });
