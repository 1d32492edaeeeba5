import { Hono } from "hono";
import { deleteAccount } from "../../retention/account-deletion";
import { clientInfo } from "../../auth/security-log";
import { validate } from "../../middleware/validate";
import { requireUser, userIdParam } from "./users";
import type { AdminEnv } from "../../middleware/admin-auth";

/**
 * Operator API: terminate an account (P9). The same steps as a user's own deletion (P27) run, so
 * the keys stop working at once, the profile is erased and the unused purchased credit gets a
 * refund request; the user is told by the account_deleted email. Repeating the call is harmless
 * and answers the same refund request.
 */
export const adminTerminate = new Hono<AdminEnv>()
  .delete("/users/:id", validate("param", userIdParam), async (c) => {
    const { id } = c.req.valid("param");
    await requireUser(c.env, id);
    const result = await deleteAccount(c.env, id, { now: Date.now(), reason: "operator_termination", notify: true, ...clientInfo(c) });
    return c.json({ deleted: true, refund_request_id: result.refundRequestId });
  });
