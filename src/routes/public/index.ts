import { Hono } from "hono";
import type { BaseEnv } from "../../env";
import { policy } from "./policy";

/** Public, unauthenticated JSON for the dashboard (policy figures, feature flags) at /api/public. */
export function publicApi() {
  const api = new Hono<BaseEnv>();
  api.route("/", policy);
  return api;
}
