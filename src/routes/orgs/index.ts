import { Hono } from "hono";
import { limitBody, requireJson } from "../../middleware/body-limit";
import { csrfProtection } from "../../middleware/csrf";
import { noStore } from "../../middleware/no-store";
import { sessionAuth, type SessionEnv } from "../../middleware/session";
import { orgBillingRoutes } from "./billing";
import { invitationRoutes } from "./invitations";
import { orgKeyRoutes } from "./keys";
import { memberRoutes } from "./members";
import { organizationRoutes } from "./organizations";
import { orgSettingsRoutes } from "./settings";
import { orgUsageRoutes } from "./usage";

/** Organizations at /api/orgs (session cookie + CSRF; never cached). Every route checks the caller's membership and role. */
export function orgsApi() {
  const api = new Hono<SessionEnv>();
  api.use(noStore(), csrfProtection(), sessionAuth(), limitBody(), requireJson());
  api.route("/", invitationRoutes); // before /:id
  api.route("/", organizationRoutes);
  api.route("/", memberRoutes);
  api.route("/", orgKeyRoutes);
  api.route("/", orgUsageRoutes);
  api.route("/", orgSettingsRoutes);
  api.route("/", orgBillingRoutes);
  return api;
}
