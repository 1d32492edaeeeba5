import { Hono } from "hono";
import type { Env } from "../../env";
import { limitBody, requireJson } from "../../middleware/body-limit";
import { csrfProtection } from "../../middleware/csrf";
import { sessionAuth } from "../../middleware/session";

/** The signed-in user's own data at /api/me (session cookie + CSRF on every state change). */
export function meApi() {
  const api = new Hono<{ Bindings: Env }>();
  api.use(csrfProtection(), sessionAuth(), limitBody(), requireJson());
  return api;
}
