import type { Env } from "../env";
import type { AccountDO } from "./account-do";
import type { WalletRead, WalletReadResult } from "./wallet-reads";

/** The Durable Object client: the stub of one wallet's AccountDO, addressed by its user id. */
export function accountStub(env: Env, userId: string): DurableObjectStub<AccountDO> {
  return env.ACCOUNT.get(env.ACCOUNT.idFromName(userId));
}

/** One read of the wallet's own tier (./wallet-reads.ts), typed by its kind (the Durable Object answers with the same kind). */
export async function readWallet<K extends WalletRead["kind"]>(env: Env, userId: string, q: Extract<WalletRead, { kind: K }>): Promise<Extract<WalletReadResult, { kind: K }>> {
  const result: WalletReadResult = await accountStub(env, userId).read(q);
  return result as Extract<WalletReadResult, { kind: K }>;
}
