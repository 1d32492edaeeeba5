import { Hono } from "hono";
import type { Env } from "../../env";
import { ensureCsrfCookie } from "./start-session";

/** GET /api/auth/csrf — the double-submit token: the dashboard echoes it in x-csrf-token. */
export const csrfRoute = new Hono<{ Bindings: Env }>().get("/csrf", (c) => {
  c.header("cache-control", "no-store");
  return c.json({ csrf: ensureCsrfCookie(c) });
});
