import { eq } from "drizzle-orm";
import type { KeyInfo, KeyPatch, NewKey } from "../account/types";
import { logSecurityEvent } from "../auth/security-log";
import { database } from "../db/client";
import { apiKeys } from "../db/schema";
import type { Env } from "../env";
import { accountStub } from "../account/client";
import { generateApiKey, keyDisplay, keysNotConfigured, keyTagSecret, sha256Hex } from "../lib/api-key";
import { newId } from "../lib/ids";
import { toKeyPatch, type CreateKeyBody } from "./schema";
import { keyView, type KeyView } from "./view";
import { nano } from "../lib/money";

/** Who changed a key, for the security log: the request's client, and whether it was the operator. */
export interface KeyActor { ip: string | null; userAgent: string | null; operator?: boolean }

export const SHOWN_ONCE = "Store this key now: it is shown only once and only its SHA-256 hash is kept.";

export function securityDetail(keyId: string, actor: KeyActor, note?: string): string {
  return [keyId, note, actor.operator ? "by operator" : null].filter(Boolean).join(" ");
}

/**
 * Generates a key and stores it: D1 row first (the queryable record), then the wallet's Durable
 * Object (the authority admission reads); if the Durable Object fails the D1 row is removed.
 * The key draws from `walletId`: the user's own wallet, or an organization's (then `userId` is
 * the member creating it, and the member's spend limit applies to it too).
 * Returns the key itself (for showing once) and the stored record (hash, never the key).
 */
export async function storeNewKey(env: Env, userId: string, name: string, limits: KeyPatch, now = Date.now(), walletId = userId): Promise<{ key: string; record: NewKey }> {
  const tagSecret = await keyTagSecret(env);
  if (!tagSecret) throw keysNotConfigured();
  const key = await generateApiKey(walletId, tagSecret);
  const record: NewKey = {
    id: newId("key_", now), name, keyHash: await sha256Hex(key), ...keyDisplay(key), createdAt: now,
    rpm: limits.rpm ?? null, tpm: limits.tpm ?? null, maxConcurrency: limits.maxConcurrency ?? null,
    spendLimitNano: limits.spendLimitNano ?? null, spendLimitPeriod: limits.spendLimitPeriod ?? "total",
    models: limits.models ?? null, expiresAt: limits.expiresAt ?? null, memberId: walletId === userId ? null : userId,
  };
  const db = database(env.DB);
  const { memberId: _m, ...row } = record;
  await db.insert(apiKeys).values({ ...row, userId, walletId: walletId === userId ? null : walletId, models: record.models ? JSON.stringify(record.models) : null });
  try {
    await accountStub(env, walletId).createKey(walletId, record);
  } catch (err) {
    await db.delete(apiKeys).where(eq(apiKeys.id, record.id));
    throw err;
  }
  return { key, record };
}

/** Creates a key from a validated request (dashboard or operator), writes a security-log row, returns the key and its view. */
export async function createApiKey(env: Env, userId: string, body: CreateKeyBody, actor: KeyActor, walletId = userId): Promise<{ key: string; view: KeyView }> {
  const now = Date.now();
  const { key, record } = await storeNewKey(env, userId, body.name, toKeyPatch(body, now), now, walletId);
  await logSecurityEvent(env, { userId, kind: "key_created", outcome: "success", ip: actor.ip, userAgent: actor.userAgent, detail: securityDetail(record.id, actor) }, now);
  const { keyHash: _hash, ...shown } = record;
  const info: KeyInfo = { ...shown, revokedAt: null, lastUsedAt: null, spentNano: nano(0), periodSpentNano: nano(0), memberId: record.memberId ?? null, disabled: false };
  return { key, view: keyView(info, now) };
}
