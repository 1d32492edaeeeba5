import { Hono } from "hono";
import type { Env } from "../../env";

/** The signed-in user's own data at /api/me (session cookie + CSRF). */
export function meApi() {
  const api = new Hono<{ Bindings: Env }>();
  return api;
}
