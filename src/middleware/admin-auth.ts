import type { MiddlewareHandler } from "hono";
import type { Env } from "../env";
import { ApiError } from "../errors";

async function sameSecret(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [ha, hb] = await Promise.all([crypto.subtle.digest("SHA-256", enc.encode(a)), crypto.subtle.digest("SHA-256", enc.encode(b))]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}

/** Operator API: `Authorization: Bearer <ADMIN_TOKEN>`. Without ADMIN_TOKEN the operator API is off. */
export function adminAuth(): MiddlewareHandler<{ Bindings: Env }> {
  return async function adminAuth(c, next) {
    const token = c.env.ADMIN_TOKEN;
    if (!token) throw new ApiError(403, "operator_api_disabled", "The operator API is disabled: set the ADMIN_TOKEN secret to enable it.");
    const auth = c.req.header("authorization") ?? "";
    const given = auth.toLowerCase().startsWith("bearer ") ? auth.slice(7).trim() : "";
    if (!given || !(await sameSecret(given, token))) throw new ApiError(401, "invalid_admin_token", "Invalid operator token.");
    await next();
  };
}
