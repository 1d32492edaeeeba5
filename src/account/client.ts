import type { Env } from "../env";
import type { AccountDO } from "./account-do";

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
