import { and, eq, isNull } from "drizzle-orm";
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
export async function keyOwner(env: Env, keyId: string, userId?: string, walletId?: string): Promise<{ userId: string; walletId: string; revokedAt: number | null }> {
  const scope = [eq(apiKeys.id, keyId)];
  if (userId !== undefined) scope.push(eq(apiKeys.userId, userId));
  const row = await database(env.DB).select({ userId: apiKeys.userId, walletId: apiKeys.walletId, revokedAt: apiKeys.revokedAt }).from(apiKeys).where(and(...scope)).get();
  // A key of another wallet is answered like an unknown one: an organization's key is managed in the organization.
  const wallet = row ? row.walletId ?? row.userId : null;
  if (!row || !wallet || (walletId ?? (userId !== undefined ? userId : wallet)) !== wallet) {
    throw new ApiError(404, "key_not_found", `No key '${keyId}'.`, { param: "id" });
  }
  return { userId: row.userId, walletId: wallet, revokedAt: row.revokedAt };
}

/** The hash of a user's live key (neither revoked nor expiring) with this exact name, if any. */
export async function liveKeyHashNamed(env: Env, userId: string, name: string): Promise<string | undefined> {
  const row = await database(env.DB).select({ keyHash: apiKeys.keyHash }).from(apiKeys)
    .where(and(eq(apiKeys.userId, userId), eq(apiKeys.name, name), isNull(apiKeys.revokedAt), isNull(apiKeys.expiresAt)))
    .get();
  return row?.keyHash;
}

/**
 * Renames a key or changes its limits. The Durable Object is the authority (the next request
 * sees the change); D1 then mirrors the Durable Object's resulting row.
 */
export async function updateApiKey(env: Env, userId: string | undefined, keyId: string, patch: KeyPatch, actor: KeyActor, walletId?: string): Promise<KeyView> {
  const owner = await keyOwner(env, keyId, userId, walletId);
  const now = Date.now();
  const info = owner.revokedAt === null ? await accountStub(env, owner.walletId).updateKey(keyId, patch, now) : null;
  if (!info) throw new ApiError(409, "api_key_revoked", "This key is revoked and can no longer be changed.", { param: "id" });
  await database(env.DB).update(apiKeys).set({
    name: info.name, rpm: info.rpm, tpm: info.tpm, maxConcurrency: info.maxConcurrency, spendLimitNano: info.spendLimitNano,
    spendLimitPeriod: info.spendLimitPeriod, models: info.models ? JSON.stringify(info.models) : null, expiresAt: info.expiresAt,
  }).where(eq(apiKeys.id, keyId));
  const changed = Object.keys(patch).join(",") || "nothing";
  await logSecurityEvent(env, { userId: owner.userId, kind: "key_updated", outcome: "success", ip: actor.ip, userAgent: actor.userAgent, detail: securityDetail(keyId, actor, changed) }, now);
  return keyView(info, now);
}

/**
 * Revokes a key: first in the Durable Object, which refuses it from the next request on
 * everywhere, then in D1. Revoking a revoked key changes nothing and answers the same.
 * `userId` scopes the lookup to that user's keys (dashboard); the operator omits it.
 */
export async function revokeApiKey(env: Env, keyId: string, actor: KeyActor, userId?: string, walletId?: string): Promise<{ id: string; revoked: true }> {
  const owner = await keyOwner(env, keyId, userId, walletId);
  const now = Date.now();
  const revoked = await accountStub(env, owner.walletId).revokeKey(keyId, now);
  if (owner.revokedAt === null) await database(env.DB).update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, keyId));
  if (revoked) {
    await logSecurityEvent(env, { userId: owner.userId, kind: "key_revoked", outcome: "success", ip: actor.ip, userAgent: actor.userAgent, detail: securityDetail(keyId, actor) }, now);
  }
  return { id: keyId, revoked: true };
}
