import { Hono } from "hono";
import type { Env } from "../../env";

/** Sign-up, sign-in, sessions, verification, password reset and OAuth at /api/auth. */
export function authApi() {
  const api = new Hono<{ Bindings: Env }>();
  return api;
}
