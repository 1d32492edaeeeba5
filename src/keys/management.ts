import type { ManagementKeyInfo } from "../account/management-keys";
import { accountStub } from "../account/client";
import { logSecurityEvent } from "../auth/security-log";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { generateApiKey, keyDisplay, keysNotConfigured, keyTagSecret, sha256Hex } from "../lib/api-key";
import { newId } from "../lib/ids";
import type { KeyActor } from "./create";

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** The "management key" object: never the key, only its prefix and last 4 characters. */
export function managementKeyView(k: ManagementKeyInfo) {
  return { id: k.id, name: k.name, prefix: k.prefix, last4: k.last4, created_at: iso(k.createdAt), last_used_at: iso(k.lastUsedAt), revoked_at: iso(k.revokedAt) };
}

/**
 * A management key for a wallet (`sk-gw-mgmt-<walletId>-…`): it can create, list, change and
 * delete the wallet's API keys through /api/v1/keys and cannot call any model. Only its SHA-256
 * is stored (in the wallet's Durable Object); it is shown once and its creation is logged.
 */
export async function createManagementKey(env: Env, walletId: string, userId: string, name: string, actor: KeyActor) {
  const tagSecret = await keyTagSecret(env);
  if (!tagSecret) throw keysNotConfigured();
  const now = Date.now();
  const key = await generateApiKey(`mgmt-${walletId}`, tagSecret);
  const record = { id: newId("mgk_", now), name, keyHash: await sha256Hex(key), ...keyDisplay(key), createdAt: now };
  await accountStub(env, walletId).createManagementKey(walletId, record);
  await logSecurityEvent(env, { userId, kind: "management_key_created", outcome: "success", ip: actor.ip, userAgent: actor.userAgent, detail: `${record.id} wallet ${walletId}` }, now);
  return { key, view: managementKeyView({ ...record, revokedAt: null, lastUsedAt: null }) };
}

export async function revokeManagementKey(env: Env, walletId: string, userId: string, id: string, actor: KeyActor) {
  const now = Date.now();
  const known = (await accountStub(env, walletId).listManagementKeys()).some((k) => k.id === id);
  if (!known) throw new ApiError(404, "key_not_found", `No management key '${id}'.`, { param: "id" });
  if (await accountStub(env, walletId).revokeManagementKey(id, now)) {
    await logSecurityEvent(env, { userId, kind: "management_key_revoked", outcome: "success", ip: actor.ip, userAgent: actor.userAgent, detail: `${id} wallet ${walletId}` }, now);
  }
  return { id, revoked: true as const };
}
