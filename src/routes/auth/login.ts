import { Hono } from "hono";
import { z } from "zod";
import { authConfig } from "../../auth/config";
import { dummyVerify, hashPassword, verifyPassword } from "../../auth/password";
import { clientInfo, logSecurityEvent } from "../../auth/security-log";
import { clearBucket, hitLimits, LIMITS, limitsFor, releaseHit, tooManyAttempts } from "../../auth/throttle";
import { findUserByEmail, setPasswordHash } from "../../auth/users";
import type { BaseEnv } from "../../env";
import { ApiError } from "../../errors";
import { accountSuspended } from "../../middleware/session";
import { validate } from "../../middleware/validate";
import { emailField, passwordField } from "./schemas";
import { startSession } from "./start-session";
import { userView } from "./user-view";

const loginBody = z.strictObject({ email: emailField, password: passwordField });

const invalidCredentials = () => new ApiError(401, "invalid_credentials", "The email or password is not correct.");

/**
 * POST /api/auth/login. Every attempt is logged (success, failure, throttled). Each attempt first
 * takes a slot in the account-and-IP failure window and in the IP's window (atomic, so parallel
 * guesses cannot overshoot); a success gives the slots back. Past a limit even the right password
 * gets 429 from that IP. The account's window is per client IP, so failures from elsewhere never
 * lock the owner out (no lockout denial of service). Unknown, deleted and password-less accounts
 * get the same 401 after the same hashing work; a suspended account's right password gets 403.
 */
export const loginRoute = new Hono<BaseEnv>().post("/login", validate("json", loginBody), async (c) => {
  const { email, password } = c.req.valid("json");
  const { ip, userAgent } = clientInfo(c);
  const cfg = authConfig(c.env);
  const windowMs = LIMITS.signInWindowMs;
  const limits = limitsFor("signin", { key: `${email}|${ip ?? "-"}`, max: cfg.signinMaxFailuresPerAccount, windowMs }, { key: ip, max: cfg.signinMaxFailuresPerIp, windowMs });
  const now = Date.now();
  const found = await findUserByEmail(c.env, email);
  const user = found && found.status !== "deleted" ? found : null;
  const log = (outcome: "success" | "failure" | "throttled", detail: string | null) =>
    logSecurityEvent(c.env, { userId: user?.id ?? null, kind: "sign_in", outcome, ip, userAgent, detail }, now);

  const throttled = await hitLimits(c.env, limits, now);
  if (throttled) {
    await log("throttled", null);
    throw tooManyAttempts(throttled);
  }
  if (!user?.passwordHash) {
    await dummyVerify(password);
    await log("failure", user ? "no_password" : "unknown_account");
    throw invalidCredentials();
  }
  const { ok, needsRehash } = await verifyPassword(password, user.passwordHash);
  if (!ok) {
    await log("failure", "bad_password");
    throw invalidCredentials();
  }
  if (user.status === "suspended") {
    await log("failure", "suspended");
    throw accountSuspended();
  }
  // Not a failure after all: the account's window (from this IP) starts over, the IP's slot is given back.
  await Promise.all(limits.map((l) => (l.bucket.includes(":acct:") ? clearBucket(c.env, l.bucket) : releaseHit(c.env, l.bucket))));
  if (needsRehash) {
    await setPasswordHash(c.env, user.id, await hashPassword(password));
  }
  await log("success", null);
  await startSession(c, user);
  return c.json({ user: userView(user) });
});
