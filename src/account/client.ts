import type { Env } from "../env";
import type { AccountDO } from "./account-do";

/** The Durable Object client: the stub of one wallet's AccountDO, addressed by its user id. */
export function accountStub(env: Env, userId: string): DurableObjectStub<AccountDO> {
  return env.ACCOUNT.get(env.ACCOUNT.idFromName(userId));
}
