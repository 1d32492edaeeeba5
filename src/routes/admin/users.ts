import { Hono } from "hono";
import { z } from "zod";
import { formatUsd } from "../../lib/money";
import { findEmailOwner, findUserById, insertUser } from "../../auth/users";
import type { Env } from "../../env";
import { ApiError } from "../../errors";
import { accountStub, readWallet } from "../../account/client";
import { newUserId } from "../../lib/ids";
import { validate } from "../../middleware/validate";
import { generationView } from "../v1/generation";
import { usageListPage } from "../../usage/query";
import type { AdminEnv } from "../../middleware/admin-auth";

export const userIdParam = z.object({ id: z.string().regex(/^u[0-9a-z]{20}$/, "not a user id") });

export async function requireUser(env: Env, id: string) {
  const user = await findUserById(env, id);
  if (!user) throw new ApiError(404, "user_not_found", `No user '${id}'.`, { param: "id" });
  return user;
}

/** Operator API: users. */
export const adminUsers = new Hono<AdminEnv>()
  .post("/users", validate("json", z.strictObject({ email: z.email().max(320), name: z.string().min(1).max(200).optional() })), async (c) => {
    const { email, name } = c.req.valid("json");
    const normalized = email.trim().toLowerCase();
    const existing = await findEmailOwner(c.env, normalized);
    if (existing) throw new ApiError(409, "email_taken", `A user with the email '${normalized}' already exists.`, { param: "email" });
    const id = newUserId();
    const now = Date.now();
    // The operator vouches for the address: accounts created here count as verified.
    await insertUser(c.env, { id, email: normalized, name: name ?? null, status: "active", createdAt: now, emailVerifiedAt: now });
    await accountStub(c.env, id).init(id);
    return c.json({ id, email: normalized }, 201);
  })
  .get("/users/:id", validate("param", userIdParam), async (c) => {
    const { id } = c.req.valid("param");
    const user = await requireUser(c.env, id);
    const s = await accountStub(c.env, id).summary();
    // Requests recorded in the wallet's recent window (USAGE_RECENT_DAYS): the operator's count of usage records.
    const counts = await readWallet(c.env, id, { kind: "counts" });
    return c.json({
      id: user.id, email: user.email, name: user.name, status: s.status === "active" ? user.status : s.status, role: user.role,
      created_at: new Date(user.createdAt).toISOString(),
      balance_usd: formatUsd(s.balanceNano), reserved_usd: formatUsd(s.holdsNano),
      total_credits_usd: formatUsd(s.creditsNano), total_usage_usd: formatUsd(s.usageNano), in_flight: s.inFlight,
      usage_records: counts.records,
    });
  })
  .get(
    "/users/:id/usage",
    validate("param", userIdParam),
    validate("query", z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), before: z.coerce.number().int().min(0).optional() })),
    async (c) => {
      const { id } = c.req.valid("param");
      const { limit, before } = c.req.valid("query");
      await requireUser(c.env, id);
      // Newest first: the wallet's recent records (USAGE_RECENT_DAYS), then the archive's.
      const rows = await usageListPage(c.env, { userId: id, to: before }, null, limit);
      const last = rows.at(-1);
      return c.json({ data: rows.map(generationView), next_before: rows.length === limit && last ? last.createdAt : null });
    },
  );
