import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { MAX_BALANCE_NANO } from "../../account/ledger";
import { parseUsd } from "../../billing/money";
import { database } from "../../db/client";
import { apiKeys } from "../../db/schema";
import type { Env } from "../../env";
import { ApiError } from "../../errors";
import { accountStub } from "../../gateway/meter";
import { generateApiKey, keyDisplay, sha256Hex } from "../../lib/api-key";
import { newId } from "../../lib/ids";
import { validate } from "../../middleware/validate";
import { requireUser, userIdParam } from "./users";

export const keyLimitsSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  rpm: z.number().int().min(1).max(1_000_000).nullable().optional(),
  tpm: z.number().int().min(1).max(1_000_000_000).nullable().optional(),
  max_concurrency: z.number().int().min(1).max(10_000).nullable().optional(),
  spend_limit_usd: z.string().regex(/^\d{1,7}(\.\d{1,9})?$/, "a USD decimal string such as \"5.00\"")
    .refine((v) => (parseUsd(v) ?? Infinity) <= MAX_BALANCE_NANO, "at most 1000000.00").nullable().optional(),
  models: z.array(z.string().min(1).max(256)).min(1).max(500).nullable().optional(),
  expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
});

/** Operator API: create a key for a user (shown once) and revoke keys. */
export const adminKeys = new Hono<{ Bindings: Env }>()
  .post("/users/:id/keys", validate("param", userIdParam), validate("json", keyLimitsSchema), async (c) => {
    const { id: userId } = c.req.valid("param");
    const b = c.req.valid("json");
    await requireUser(c.env, userId);
    const expiresAt = b.expires_at ? Date.parse(b.expires_at) : null;
    if (expiresAt !== null && expiresAt <= Date.now()) throw new ApiError(400, "invalid_request", "expires_at must be in the future.", { param: "expires_at" });
    const key = generateApiKey(userId);
    const now = Date.now();
    const record = {
      id: newId("key_", now), name: b.name, keyHash: await sha256Hex(key), ...keyDisplay(key),
      rpm: b.rpm ?? null, tpm: b.tpm ?? null, maxConcurrency: b.max_concurrency ?? null,
      spendLimitNano: b.spend_limit_usd ? parseUsd(b.spend_limit_usd) : null, models: b.models ?? null, expiresAt, createdAt: now,
    };
    const db = database(c.env.DB);
    await db.insert(apiKeys).values({ ...record, userId, models: record.models ? JSON.stringify(record.models) : null });
    try {
      await accountStub(c.env, userId).createKey(userId, record);
    } catch (err) {
      await db.delete(apiKeys).where(eq(apiKeys.id, record.id));
      throw err;
    }
    return c.json({
      id: record.id, key, name: record.name, prefix: record.prefix, last4: record.last4,
      warning: "Store this key now: it is shown only once and only its SHA-256 hash is kept.",
    }, 201);
  })
  .delete("/keys/:id", validate("param", z.object({ id: z.string().regex(/^key_[0-9a-z]{22}$/, "not a key id") })), async (c) => {
    const { id } = c.req.valid("param");
    const db = database(c.env.DB);
    const row = await db.select({ userId: apiKeys.userId }).from(apiKeys).where(eq(apiKeys.id, id)).get();
    if (!row) throw new ApiError(404, "key_not_found", `No key '${id}'.`, { param: "id" });
    const now = Date.now();
    await accountStub(c.env, row.userId).revokeKey(id, now);
    await db.update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, id));
    return c.json({ id, revoked: true });
  });
