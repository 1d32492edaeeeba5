import { and, eq } from "drizzle-orm";
import type { KeyPatch } from "../account/types";
import { logSecurityEvent } from "../auth/security-log";
import { database } from "../db/client";
import { apiKeys } from "../db/schema";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { accountStub } from "../account/client";
import { securityDetail, type KeyActor } from "./create";
import { keyView, type KeyView } from "./view";

/**
 * The owner of a key, from D1. With `userId`, only that user's key is found: another user's key
 * id is answered exactly like an unknown one (404), so a caller cannot learn that it exists.
 */
export async function keyOwner(env: Env, keyId: string, userId?: string): Promise<{ userId: string; revokedAt: number | null }> {
  const where = userId === undefined ? eq(apiKeys.id, keyId) : and(eq(apiKeys.id, keyId), eq(apiKeys.userId, userId));
  const row = await database(env.DB).select({ userId: apiKeys.userId, revokedAt: apiKeys.revokedAt }).from(apiKeys).where(where).get();
  if (!row) throw new ApiError(404, "key_not_found", `No key '${keyId}'.`, { param: "id" });
  return row;
}

/**
 * Renames a key or changes its limits. The Durable Object is the authority (the next request
 * sees the change); D1 then mirrors the Durable Object's resulting row.
 */
export async function updateApiKey(env: Env, userId: string, keyId: string, patch: KeyPatch, actor: KeyActor): Promise<KeyView> {
  const owner = await keyOwner(env, keyId, userId);
  const now = Date.now();
  const info = owner.revokedAt === null ? await accountStub(env, userId).updateKey(keyId, patch, now) : null;
  if (!info) throw new ApiError(409, "api_key_revoked", "This key is revoked and can no longer be changed.", { param: "id" });
  await database(env.DB).update(apiKeys).set({
    name: info.name, rpm: info.rpm, tpm: info.tpm, maxConcurrency: info.maxConcurrency, spendLimitNano: info.spendLimitNano,
    spendLimitPeriod: info.spendLimitPeriod, models: info.models ? JSON.stringify(info.models) : null, expiresAt: info.expiresAt,
  }).where(eq(apiKeys.id, keyId));
  const changed = Object.keys(patch).join(",") || "nothing";
  await logSecurityEvent(env, { userId, kind: "key_updated", outcome: "success", ip: actor.ip, userAgent: actor.userAgent, detail: securityDetail(keyId, actor, changed) }, now);
  return keyView(info, now);
}

/**
 * Revokes a key: first in the Durable Object, which refuses it from the next request on
 * everywhere, then in D1. Revoking a revoked key changes nothing and answers the same.
 * `userId` scopes the lookup to that user's keys (dashboard); the operator omits it.
 */
export async function revokeApiKey(env: Env, keyId: string, actor: KeyActor, userId?: string): Promise<{ id: string; revoked: true }> {
  const owner = await keyOwner(env, keyId, userId);
  const now = Date.now();
  const revoked = await accountStub(env, owner.userId).revokeKey(keyId, now);
  if (owner.revokedAt === null) await database(env.DB).update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, keyId));
  if (revoked) {
    await logSecurityEvent(env, { userId: owner.userId, kind: "key_revoked", outcome: "success", ip: actor.ip, userAgent: actor.userAgent, detail: securityDetail(keyId, actor) }, now);
  }
  return { id: keyId, revoked: true };
}
