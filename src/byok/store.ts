import { accountStub } from "../account/client";
import { logSecurityEvent } from "../auth/security-log";
import { byokSecret } from "../config";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { sealProviderKey } from "./seal";

export const byokNotConfigured = () =>
  new ApiError(503, "byok_not_configured", "Your own provider keys are not enabled on this deployment: the operator must set the BYOK_SECRET secret (32+ characters).");

/**
 * Stores a wallet's own key for a provider: sealed in the worker (./seal.ts), then kept by the
 * wallet's Durable Object. The security log names the provider, never the key.
 */
export async function storeProviderKey(env: Env, walletId: string, provider: string, key: string, allowFallback: boolean, actor: { userId: string; ip: string | null; userAgent: string | null }) {
  const secret = byokSecret(env);
  if (!secret) throw byokNotConfigured();
  const now = Date.now();
  await accountStub(env, walletId).putProviderKey(walletId, provider, await sealProviderKey(secret, walletId, provider, key), allowFallback, now);
  await logSecurityEvent(env, { userId: actor.userId, kind: "provider_key_stored", outcome: "success", ip: actor.ip, userAgent: actor.userAgent, detail: `${provider} wallet ${walletId}` }, now);
  return { provider, allow_fallback: allowFallback, created_at: new Date(now).toISOString() };
}

export async function deleteProviderKey(env: Env, walletId: string, provider: string, actor: { userId: string; ip: string | null; userAgent: string | null }) {
  const deleted = await accountStub(env, walletId).deleteProviderKey(provider);
  if (!deleted) throw new ApiError(404, "provider_key_not_found", `No key of yours is stored for '${provider}'.`, { param: "provider" });
  await logSecurityEvent(env, { userId: actor.userId, kind: "provider_key_deleted", outcome: "success", ip: actor.ip, userAgent: actor.userAgent, detail: `${provider} wallet ${walletId}` });
  return { provider, deleted: true as const };
}

export async function listProviderKeys(env: Env, walletId: string) {
  const keys = await accountStub(env, walletId).listProviderKeys();
  return keys.map((k) => ({ provider: k.provider, allow_fallback: k.allowFallback, created_at: new Date(k.createdAt).toISOString() }));
}
