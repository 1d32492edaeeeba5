import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { readCsrfCookie } from "../auth/cookies";
import { configuredOrigin } from "../auth/config";
import type { BaseEnv } from "../env";
import { ApiError } from "../errors";
import { sameString } from "../lib/compare";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF protection for cookie-authenticated routes, on every state-changing method:
 * 1. Origin must be present and equal the dashboard's origin (APP_ORIGIN or the request's own);
 * 2. the `x-csrf-token` header must equal the CSRF cookie (double submit; GET /api/auth/csrf issues it).
 * Hono's csrf() only inspects form-like content types, so JSON requests need this stricter check.
 */
export function checkCsrf<E extends BaseEnv>(c: Context<E>): void {
  if (SAFE.has(c.req.method)) return;
  const origin = c.req.header("origin");
  const allowed = new Set([configuredOrigin(c.env) ?? "", new URL(c.req.url).origin]);
  if (!origin || !allowed.has(origin)) {
    throw new ApiError(403, "csrf_origin_mismatch", "Cross-site request refused: the Origin header is missing or not this dashboard's origin.");
  }
  const cookie = readCsrfCookie(c);
  const header = c.req.header("x-csrf-token");
  if (!cookie || !header || cookie.length < 16 || !sameString(cookie, header)) {
    throw new ApiError(403, "csrf_token_invalid", "Missing or invalid CSRF token: send the csrf cookie's value in the x-csrf-token header.");
  }
}

/** checkCsrf() as a middleware. */
export function csrfProtection() {
  return createMiddleware<BaseEnv>(async function csrfProtection(c, next) {
    checkCsrf(c);
    await next();
  });
}
