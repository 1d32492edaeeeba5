import { Hono } from "hono";
import { z } from "zod";
import { audit } from "../../admin/audit";
import { logSecurityEvent } from "../../auth/security-log";
import { setUserSuspended } from "../../auth/users";
import type { Env } from "../../env";
import { ApiError } from "../../errors";
import { accountStub } from "../../account/client";
import { validate } from "../../middleware/validate";
import { requireUser, userIdParam } from "./users";
import type { AdminEnv } from "../../middleware/admin-auth";

const body = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });

/**
 * POST /users/:id/suspend {reason?} and POST /users/:id/unsuspend — the operator's switch (docs/api.md).
 * Suspended: every API key gets 403 account_suspended (admission and the read-only /v1 routes),
 * every session ends and new ones are refused. Unsuspending restores unverified, disputed or
 * active, whichever applies. Both are audited with the before and after status. A deleted account
 * cannot be changed (409).
 */
export const adminSuspend = new Hono<AdminEnv>()
  .post("/users/:id/suspend", validate("param", userIdParam), validate("json", body), async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await setSuspended(c.env, id, true, c.get("adminActor"), c.req.valid("json").reason ?? null));
  })
  .post("/users/:id/unsuspend", validate("param", userIdParam), validate("json", body), async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await setSuspended(c.env, id, false, c.get("adminActor"), c.req.valid("json").reason ?? null));
  });

async function setSuspended(env: Env, id: string, suspended: boolean, actor: string, reason: string | null): Promise<{ id: string; status: string }> {
  const before = await requireUser(env, id);
  if (before.status === "deleted") throw new ApiError(409, "account_deleted", "This account has been deleted and cannot be changed.");
  // The Durable Object first: keys stop working before anything else is said to have happened.
  const status = await accountStub(env, id).setSuspended(suspended, id, before.emailVerifiedAt !== null);
  await setUserSuspended(env, id, suspended);
  const action = suspended ? "user.suspend" : "user.unsuspend";
  await audit(env, { actor, action, targetUserId: id, detail: JSON.stringify({ before: before.status, after: status, reason }) });
  await logSecurityEvent(env, { userId: id, kind: suspended ? "account_suspended" : "account_unsuspended", outcome: "success", ip: null, userAgent: null });
  return { id, status };
}
