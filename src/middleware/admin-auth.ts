import { createMiddleware } from "hono/factory";
import { OPERATOR_TOKEN_ACTOR } from "../admin/audit";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { checkCsrf } from "./csrf";
import { authenticateSession } from "./session";

/** What adminAuth() sets: who is acting on the operator API, an admin's user id or "operator-token". */
export type AdminVariables = { adminActor: string };
/** The Hono environment of the operator API's routers (behind adminAuth()). */
export type AdminEnv = { Bindings: Env; Variables: AdminVariables };

async function sameSecret(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [ha, hb] = await Promise.all([crypto.subtle.digest("SHA-256", enc.encode(a)), crypto.subtle.digest("SHA-256", enc.encode(b))]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}

/**
 * Operator API authentication, one of:
 *  - `Authorization: Bearer <ADMIN_TOKEN>` (actor "operator-token"). Any Authorization header
 *    selects this path, so a wrong token is always 401 invalid_admin_token. Without ADMIN_TOKEN
 *    this path is off;
 *  - the session cookie of a user with role "admin" (actor = that user's id), with the CSRF
 *    double submit on state-changing methods. A session without the role gets 403.
 * Sets c.var.adminActor for the audit log.
 */
export function adminAuth() {
  return createMiddleware<AdminEnv>(async function adminAuth(c, next) {
    const auth = c.req.header("authorization");
    if (auth === undefined && c.req.header("cookie")) {
      checkCsrf(c);
      const { user } = await authenticateSession(c);
      if (user.role !== "admin") throw new ApiError(403, "forbidden", "This needs the admin role.");
      c.set("adminActor", user.id);
      return next();
    }
    const token = c.env.ADMIN_TOKEN;
    if (!token) throw new ApiError(403, "operator_api_disabled", "The operator API is disabled: set the ADMIN_TOKEN secret to enable it.");
    const given = auth?.toLowerCase().startsWith("bearer ") ? auth.slice(7).trim() : "";
    if (!given || !(await sameSecret(given, token))) throw new ApiError(401, "invalid_admin_token", "Invalid operator token.");
    c.set("adminActor", OPERATOR_TOKEN_ACTOR);
    await next();
  });
}
