import type { SealedProviderKey } from "../account/byok-store";
import { openProviderKey } from "../byok/seal";
import { byokSecret } from "../config";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { withOwnKey } from "../providers/registry";
import type { Candidate } from "./dispatch";
import { nano, type Nano } from "../lib/money";

/** The caller's own provider key was refused by the provider (or cannot be opened): named, never echoed. */
export function byokRejected(provider: string, unreadable = false): ApiError {
  const why = unreadable ? "cannot be read on this deployment (its encryption secret changed)" : "was rejected by the provider: it may be revoked or expired";
  return new ApiError(502, "byok_key_rejected",
    `Your own API key for '${provider}' (BYOK, stored for this wallet) ${why}. Store a new one, or allow fallback to the gateway's key. Nothing was charged.`);
}

/**
 * Candidates with the wallet's own provider keys: a candidate whose provider has a stored key is
 * tried with that key, and with the gateway's key right after it only when the owner allowed
 * fallback. Without fallback the request uses the owner's key only (fail closed).
 */
export async function withProviderKeys(env: Env, walletId: string, candidates: Candidate[], sealed: SealedProviderKey[] | undefined): Promise<Candidate[]> {
  if (!sealed?.length) return candidates;
  const secret = byokSecret(env);
  const opened = new Map<string, { key: string | null; allowFallback: boolean }>();
  for (const s of sealed) {
    opened.set(s.provider, { key: secret ? await openProviderKey(secret, walletId, s.provider, s.sealed) : null, allowFallback: s.allowFallback });
  }
  const out: Candidate[] = [];
  for (const c of candidates) {
    const own = opened.get(c.provider.name);
    if (!own) { out.push(c); continue; }
    if (own.key === null && !own.allowFallback) throw byokRejected(c.provider.name, true);
    if (own.key !== null) out.push({ ...c, provider: withOwnKey(c.provider, own.key, own.allowFallback) });
    if (own.allowFallback) out.push(c);
  }
  return out;
}

/** BYOK_FEE_BPS of the catalog cost, rounded half up to a whole nUSD (exact: BigInt). */
export function byokFee(costNano: Nano, feeBps: number): Nano {
  return nano(Number((BigInt(costNano) * BigInt(feeBps) + 5000n) / 10000n));
}
