import { Hono } from "hono";
import type { BaseEnv } from "../../env";
import { accountRoutes } from "./accounts";
import { oauthRoutes } from "./oauth";

/** Sign-up, sign-in, sessions, verification, password reset and OAuth at /api/auth. */
export function authApi() {
  const api = new Hono<BaseEnv>();
  api.route("/", oauthRoutes);
  api.route("/", accountRoutes);
  return api;
}
