import { Hono } from "hono";
import { adminAuth, type AdminEnv } from "../../middleware/admin-auth";
import { limitBody, requireJson } from "../../middleware/body-limit";
import { adminAudit } from "./audit";
import { auditTrail } from "./audit-trail";
import { adminChannels } from "./channels";
import { adminCredits } from "./credits";
import { adminKeys } from "./keys";
import { adminModels } from "./models";
import { adminOrgCredits } from "./org-credits";
import { adminNotices } from "./notices";
import { adminCatalogImport } from "./catalog-import";
import { adminPlans } from "./plans";
import { adminPromoCodes } from "./promo-codes";
import { adminReconciliation } from "./reconciliation";
import { adminRefunds } from "./refunds";
import { adminRevenue } from "./revenue";
import { adminRights } from "./rights";
import { adminRoles } from "./roles";
import { adminSuspend } from "./suspend";
import { adminTerminate } from "./terminate";
import { adminUserList } from "./user-list";
import { adminUsers } from "./users";

/**
 * The operator API at /api/admin: bearer ADMIN_TOKEN or an admin's session (+ CSRF). Every request
 * a route answers leaves an audit_log row (./audit-trail.ts), so new routes are covered too.
 */
export function adminApi() {
  const api = new Hono<AdminEnv>();
  api.use(adminAuth(), auditTrail(), limitBody(), requireJson());
  api.route("/", adminUsers);
  api.route("/", adminCredits);
  api.route("/", adminOrgCredits);
  api.route("/", adminKeys);
  api.route("/", adminModels);
  api.route("/", adminReconciliation);
  api.route("/", adminRoles);
  api.route("/", adminUserList);
  api.route("/", adminAudit);
  api.route("/", adminChannels);
  api.route("/", adminRefunds);
  api.route("/", adminRevenue);
  api.route("/", adminTerminate);
  api.route("/", adminSuspend);
  api.route("/", adminNotices);
  api.route("/", adminRights);
  api.route("/", adminPromoCodes);
  api.route("/", adminPlans);
  api.route("/", adminCatalogImport);
  return api;
}
