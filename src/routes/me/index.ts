import { Hono } from "hono";
import { limitBody, requireJson } from "../../middleware/body-limit";
import { csrfProtection } from "../../middleware/csrf";
import { noStore } from "../../middleware/no-store";
import { sessionAuth, type SessionEnv } from "../../middleware/session";
import { accountDeletion } from "./delete";
import { meExport } from "./export";
import { meKeys } from "./keys";
import { meRights } from "./rights";
import { meManagementKeys } from "./management-keys";
import { meProviderKeys } from "./provider-keys";
import { playground } from "./playground";
import { profile } from "./profile";
import { meSecurityLog } from "./security-log";
import { meUsage } from "./usage";

/** The signed-in user's own data at /api/me (session cookie + CSRF on every state change; never cached). */
export function meApi() {
  const api = new Hono<SessionEnv>();
  api.use(noStore(), csrfProtection(), sessionAuth(), limitBody(), requireJson());
  api.route("/", profile);
  api.route("/", playground);
  api.route("/", accountDeletion);
  api.route("/", meKeys);
  api.route("/", meManagementKeys);
  api.route("/", meProviderKeys);
  api.route("/", meUsage);
  api.route("/", meExport);
  api.route("/", meSecurityLog);
  api.route("/", meRights);
  return api;
}
