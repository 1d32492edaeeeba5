import { Hono } from "hono";
import type { BaseEnv } from "../../env";
import { sessionAuth } from "../../middleware/session";
import { userView } from "./user-view";

/** GET /api/auth/session — who is signed in (401 invalid_session otherwise). */
export const sessionRoute = new Hono<BaseEnv>().get("/session", sessionAuth(), (c) => {
  c.header("cache-control", "no-store");
  return c.json({ user: userView(c.get("user")) });
});
