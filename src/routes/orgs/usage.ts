import { Hono } from "hono";
import { z } from "zod";
import { validate } from "../../middleware/validate";
import { MANAGERS, membership } from "../../orgs/membership";
import { orgUsage, usageCsv } from "../../orgs/usage";
import { orgParam } from "./params";
import type { SessionEnv } from "../../middleware/session";

const usageQuery = z.object({ group_by: z.enum(["member", "key", "model"]).default("member"), format: z.enum(["json", "csv"]).default("json") });

/** Usage by member, key or model: all of it for owners, admins and billing members; a member sees their own. CSV export with format=csv. */
export const orgUsageRoutes = new Hono<SessionEnv>()
  .get("/:id/usage", validate("param", orgParam), validate("query", usageQuery), async (c) => {
    const m = await membership(c.env, c.req.valid("param").id, c.get("user").id);
    const q = c.req.valid("query");
    const everyone = MANAGERS.includes(m.role) || m.role === "billing";
    const rows = await orgUsage(c.env, m.orgId, q.group_by, everyone ? null : m.userId);
    if (q.format === "csv") {
      return c.body(usageCsv(rows, q.group_by), 200, { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="usage-by-${q.group_by}.csv"` });
    }
    return c.json({ group_by: q.group_by, data: rows });
  });
