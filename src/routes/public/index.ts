import { Hono } from "hono";
import type { Env } from "../../env";

/** Public, unauthenticated JSON for the dashboard (policy figures, feature flags) at /api/public. */
export function publicApi() {
  const api = new Hono<{ Bindings: Env }>();
  return api;
}
