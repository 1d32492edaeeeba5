import type { Env } from "../env";
import type { AccountDO } from "./account-do";
import type { WalletRead, WalletReadResult } from "./wallet-reads";

/**
 * Wallet ids by user id, per namespace binding: idFromName hashes the name on every call, and a
 * busy user's id is the same every time. Ids (unlike stubs) may be kept across requests. At most
 * ID_CACHE entries; the cache starts over when full.
 */
const ID_CACHE = 4096;
const ids = new WeakMap<object, Map<string, DurableObjectId>>();

/** The Durable Object client: the stub of one wallet's AccountDO, addressed by its user id. */
export function accountStub(env: Env, userId: string): DurableObjectStub<AccountDO> {
  let known = ids.get(env.ACCOUNT);
  if (!known) ids.set(env.ACCOUNT, (known = new Map()));
  let id = known.get(userId);
  if (!id) {
    id = env.ACCOUNT.idFromName(userId);
    if (known.size >= ID_CACHE) known.clear();
    known.set(userId, id);
  }
  return env.ACCOUNT.get(id);
}

/** One read of the wallet's own tier (./wallet-reads.ts), typed by its kind (the Durable Object answers with the same kind). */
export async function readWallet<K extends WalletRead["kind"]>(env: Env, userId: string, q: Extract<WalletRead, { kind: K }>): Promise<Extract<WalletReadResult, { kind: K }>> {
  const result: WalletReadResult = await accountStub(env, userId).read(q);
  return result as Extract<WalletReadResult, { kind: K }>;
}
