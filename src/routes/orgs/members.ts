import { Hono } from "hono";
import { z } from "zod";
import { accountStub } from "../../account/client";
import type { Env } from "../../env";
import { ApiError } from "../../errors";
import { formatUsd } from "../../lib/money";
import { validate } from "../../middleware/validate";
import { parseUsd } from "../../lib/money";
import { listMembers, MANAGERS, memberRole, membership, withRole, type Membership } from "../../orgs/membership";
import { auditOrg, changeRole, removeMember } from "../../orgs/organizations";
import { orgMemberParam, orgParam } from "./params";
import type { SessionEnv } from "../../middleware/session";

const patchBody = z.strictObject({
  role: z.enum(["owner", "admin", "member", "billing"]).optional(),
  spend_limit_usd: z.string().regex(/^\d{1,7}(\.\d{1,9})?$/, "a USD decimal string such as \"5.00\"").nullable().optional(),
  spend_limit_period: z.enum(["daily", "weekly", "monthly", "total"]).optional(),
});

async function target(env: Env, m: Membership, userId: string) {
  const role = await memberRole(env, m.orgId, userId);
  if (!role) throw new ApiError(404, "member_not_found", `No member '${userId}' in this organization.`, { param: "userId" });
  return { userId, role };
}

/** Members: owners and admins see everyone and manage roles, spend limits and removal; a member sees themself and may leave. */
export const memberRoutes = new Hono<SessionEnv>()
  .get("/:id/members", validate("param", orgParam), async (c) => {
    const m = await membership(c.env, c.req.valid("param").id, c.get("user").id);
    const rows = await listMembers(c.env, m.orgId);
    const figures = new Map((await accountStub(c.env, m.orgId).listMembers()).map((f) => [f.userId, f]));
    const visible = MANAGERS.includes(m.role) ? rows : rows.filter((r) => r.userId === m.userId);
    return c.json({
      data: visible.map((r) => {
        const f = figures.get(r.userId);
        return {
          user_id: r.userId, email: r.email, role: r.role, joined_at: new Date(r.joinedAt).toISOString(),
          spend_limit_usd: f?.spendLimitNano == null ? null : formatUsd(f.spendLimitNano), spend_limit_period: f?.spendLimitPeriod ?? "total",
          spent_usd: formatUsd(f?.spentNano ?? 0), period_spent_usd: formatUsd(f?.periodSpentNano ?? 0),
        };
      }),
    });
  })
  .patch("/:id/members/:userId", validate("param", orgMemberParam), validate("json", patchBody), async (c) => {
    const { id, userId } = c.req.valid("param");
    const m = await withRole(c.env, id, c.get("user").id, MANAGERS);
    const t = await target(c.env, m, userId);
    const body = c.req.valid("json");
    if (body.role && body.role !== t.role) await changeRole(c.env, m, t, body.role);
    if (body.spend_limit_usd !== undefined || body.spend_limit_period !== undefined) {
      const spendLimitNano = body.spend_limit_usd === undefined ? undefined : body.spend_limit_usd === null ? null : parseUsd(body.spend_limit_usd);
      await accountStub(c.env, m.orgId).setMember(m.orgId, userId, { spendLimitNano, spendLimitPeriod: body.spend_limit_period });
      await auditOrg(c.env, m.userId, "member_limit_changed", userId, m.orgId, `${body.spend_limit_usd ?? "unchanged"} ${body.spend_limit_period ?? ""}`.trim());
    }
    return c.json({ user_id: userId, role: body.role ?? t.role });
  })
  .delete("/:id/members/:userId", validate("param", orgMemberParam), async (c) => {
    const { id, userId } = c.req.valid("param");
    const me = c.get("user").id;
    // Leaving needs no role; removing someone else needs owner or admin.
    const m = userId === me ? await membership(c.env, id, me) : await withRole(c.env, id, me, MANAGERS);
    return c.json(await removeMember(c.env, m, await target(c.env, m, userId)));
  });
