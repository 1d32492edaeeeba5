import { Hono } from "hono";
import { z } from "zod";
import { accountStub } from "../../account/client";
import { formatUsd } from "../../lib/money";
import { requireVerifiedEmail, type SessionEnv } from "../../middleware/session";
import { validate } from "../../middleware/validate";
import { membership, MONEY_ROLES, myOrganizations } from "../../orgs/membership";
import { createOrganization, deleteOrganization } from "../../orgs/organizations";
import { orgParam } from "./params";

/** Creating an organization, the caller's organizations (the switcher), and one organization's summary. */
export const organizationRoutes = new Hono<SessionEnv>()
  .get("/", async (c) => c.json({ data: await myOrganizations(c.env, c.get("user").id) }))
  .post("/", requireVerifiedEmail(), validate("json", z.strictObject({ name: z.string().trim().min(1).max(100) })), async (c) => {
    return c.json(await createOrganization(c.env, c.get("user").id, c.req.valid("json").name), 201);
  })
  .get("/:id", validate("param", orgParam), async (c) => {
    const m = await membership(c.env, c.req.valid("param").id, c.get("user").id);
    // The shared balance: for owners, admins and billing members.
    const balance = MONEY_ROLES.includes(m.role) ? formatUsd((await accountStub(c.env, m.orgId).summary()).balanceNano) : null;
    return c.json({ id: m.orgId, name: m.orgName, role: m.role, balance_usd: balance });
  })
  .delete("/:id", validate("param", orgParam), async (c) => {
    const m = await membership(c.env, c.req.valid("param").id, c.get("user").id);
    return c.json(await deleteOrganization(c.env, m));
  });
