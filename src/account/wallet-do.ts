import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { deleteProviderKey, listProviderKeys, putProviderKey, type ProviderKeyInfo } from "./byok-store";
import { LEDGER_SCHEMA } from "./ledger";
import { insertManagementKey, listManagementKeys, revokeManagementKey, useManagementKey, type ManagementKeyInfo, type NewManagementKey } from "./management-keys";
import { listMembers, removeMember, setMember, type MemberInfo } from "./members";
import { RESPONSES_SCHEMA } from "./chains";
import { planLimits, setPlanLimits, type PlanLimits, type PlanLimitsPush } from "./plan-limits";
import { ACCOUNT_SCHEMA, migrateAccountSchema } from "./storage";
import type { SpendPeriod } from "./types";

/**
 * The storage of one wallet (a user's or an organization's) and the RPC methods beside the money
 * path: management keys (the provisioning API), an organization's members and their spend
 * limits, and the wallet's own provider keys (BYOK, sealed). AccountDO (./account-do.ts) adds
 * admission, settlement and the ledger. Each method is one synchronous SQLite step.
 */
export abstract class WalletDO extends DurableObject<Env> {
  protected readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(ACCOUNT_SCHEMA);
    this.sql.exec(LEDGER_SCHEMA);
    this.sql.exec(RESPONSES_SCHEMA);
    migrateAccountSchema(this.sql);
  }

  abstract init(walletId: string, now?: number): void;

  createManagementKey(walletId: string, key: NewManagementKey): void {
    this.init(walletId);
    insertManagementKey(this.sql, key);
  }

  /** The live management key with this hash, or null (unknown and revoked alike). */
  verifyManagementKey(keyHash: string, now = Date.now()): ManagementKeyInfo | null {
    return useManagementKey(this.sql, keyHash, now);
  }

  listManagementKeys(): ManagementKeyInfo[] {
    return listManagementKeys(this.sql);
  }

  revokeManagementKey(id: string, now = Date.now()): boolean {
    return revokeManagementKey(this.sql, id, now);
  }

  /** Adds a member to an organization's wallet, or changes their spend limit. */
  setMember(walletId: string, userId: string, limit: { spendLimitNano?: number | null; spendLimitPeriod?: SpendPeriod } = {}, now = Date.now()): MemberInfo {
    this.init(walletId, now);
    return this.ctx.storage.transactionSync(() => setMember(this.sql, userId, limit, now));
  }

  /** Removes a member and revokes their keys in one step; returns the revoked key ids. */
  removeMember(userId: string, now = Date.now()): string[] {
    return this.ctx.storage.transactionSync(() => removeMember(this.sql, userId, now));
  }

  listMembers(now = Date.now()): MemberInfo[] {
    return listMembers(this.sql, now);
  }

  /** Stores (replaces) a sealed provider key. */
  putProviderKey(walletId: string, provider: string, sealed: string, allowFallback: boolean, now = Date.now()): void {
    this.init(walletId, now);
    putProviderKey(this.sql, provider, sealed, allowFallback, now);
  }

  deleteProviderKey(provider: string): boolean {
    return deleteProviderKey(this.sql, provider);
  }

  listProviderKeys(): ProviderKeyInfo[] {
    return listProviderKeys(this.sql);
  }

  /**
   * The subscription webhook's push of the user's plan limits (planId null: no live plan).
   * Idempotent; a push older than the stored one is ignored (./plan-limits.ts). Creates no account row
   * (a first push must not make a wallet "active"). Returns what admission now uses.
   */
  setPlanLimits(push: PlanLimitsPush): { applied: boolean; limits: PlanLimits | null } {
    const applied = this.ctx.storage.transactionSync(() => setPlanLimits(this.sql, push));
    return { applied, limits: planLimits(this.sql) };
  }
}
