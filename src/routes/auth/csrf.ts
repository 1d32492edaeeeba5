import { Hono } from "hono";
import type { BaseEnv } from "../../env";
import { ensureCsrfCookie } from "./start-session";

/** GET /api/auth/csrf — the double-submit token: the dashboard echoes it in x-csrf-token. */
export const csrfRoute = new Hono<BaseEnv>().get("/csrf", (c) => {
  c.header("cache-control", "no-store");
  return c.json({ csrf: ensureCsrfCookie(c) });
});
