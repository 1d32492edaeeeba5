import type { Env } from "../env";
import { ApiError } from "../errors";
import { verifyPassword } from "./password";
import type { SessionClaims, SessionUser } from "./session";
import { enforce, LIMITS, limitsFor } from "./throttle";

/** An account without a password (OAuth only) proves itself with a sign-in at most this old. */
export const RECENT_SIGN_IN_SECONDS = 600;

/**
 * Re-authentication before a sensitive change (email, password): the current password when the
 * account has one — each try counted against the per-account password-check limit — else a
 * recent sign-in. `param` names the body field that carries the password.
 */
export async function reauthenticate(
  env: Env,
  who: { user: SessionUser; session: SessionClaims },
  password: string | undefined,
  param: string,
  now = Date.now(),
): Promise<void> {
  if (who.user.passwordHash === null) {
    if (now / 1000 - who.session.auth_time > RECENT_SIGN_IN_SECONDS) {
      throw new ApiError(401, "reauth_required", "Sign in again (at most 10 minutes ago) to make this change.");
    }
    return;
  }
  if (password === undefined) throw new ApiError(401, "reauth_required", "Enter your current password to make this change.", { param });
  await enforce(env, limitsFor("password_check", { key: who.user.id, ...LIMITS.passwordCheckPerAccount }, null), now);
  const { ok } = await verifyPassword(password, who.user.passwordHash);
  if (!ok) throw new ApiError(401, "invalid_password", "The password is not correct.", { param });
}
