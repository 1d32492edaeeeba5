import { Hono } from "hono";
import { z } from "zod";
import { audit } from "../../admin/audit";
import { setUserRole } from "../../auth/users";
import { validate } from "../../middleware/validate";
import { requireUser, userIdParam } from "./users";
import type { AdminEnv } from "../../middleware/admin-auth";

/**
 * PATCH /users/:id/role — grant or remove the admin role. The admin router's auth applies (operator
 * token or an admin session), so the first admin is bootstrapped with ADMIN_TOKEN. Audited (P20).
 */
export const adminRoles = new Hono<AdminEnv>().patch(
  "/users/:id/role",
  validate("param", userIdParam),
  validate("json", z.strictObject({ role: z.enum(["user", "admin"]) })),
  async (c) => {
    const { id } = c.req.valid("param");
    const { role } = c.req.valid("json");
    const before = await requireUser(c.env, id);
    await setUserRole(c.env, id, role);
    await audit(c.env, { actor: c.get("adminActor"), action: "user.role", targetUserId: id, detail: `${before.role} -> ${role}` });
    return c.json({ id, role });
  },
);
