import { Hono } from "hono";
import { z } from "zod";
import { deleteAccount } from "../../retention/account-deletion";
import { clearSessionCookie } from "../../auth/cookies";
import { reauthenticate } from "../../auth/reauth";
import { clientInfo, logSecurityEvent } from "../../auth/security-log";
import { ApiError } from "../../errors";
import { validate } from "../../middleware/validate";
import type { SessionEnv } from "../../middleware/session";

const body = z.strictObject({
  password: z.string().min(1).max(1024).optional(),
  confirm: z.literal("DELETE"),
});

/** POST /api/me/delete — deletes the signed-in user's account (src/account/deletion.ts, P27). */
export const accountDeletion = new Hono<SessionEnv>().post("/delete", validate("json", body), async (c) => {
  const { password } = c.req.valid("json");
  const user = c.get("user");
  const now = Date.now();
  const client = clientInfo(c);
  try {
    await reauthenticate(c.env, { user, session: c.get("session") }, password, "password", now);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      await logSecurityEvent(c.env, { userId: user.id, kind: "account_deleted", outcome: "failure", ...client, detail: err.code }, now);
    }
    throw err;
  }
  const result = await deleteAccount(c.env, user.id, { now, reason: "user_request", notify: true, ...client });
  clearSessionCookie(c);
  return c.json({ deleted: true, refund_request_id: result.refundRequestId });
});
