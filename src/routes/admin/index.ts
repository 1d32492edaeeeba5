import { Hono } from "hono";
import type { Env } from "../../env";
import { adminAuth } from "../../middleware/admin-auth";
import { limitBody, requireJson } from "../../middleware/body-limit";
import { adminCredits } from "./credits";
import { adminKeys } from "./keys";
import { adminModels } from "./models";
import { adminUsers } from "./users";

/** The operator API at /api/admin (bearer ADMIN_TOKEN). */
export function adminApi() {
  const api = new Hono<{ Bindings: Env }>();
  api.use(adminAuth(), limitBody(), requireJson());
  api.route("/", adminUsers);
  api.route("/", adminCredits);
  api.route("/", adminKeys);
  api.route("/", adminModels);
  return api;
}
