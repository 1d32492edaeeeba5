import { countFreeRequest } from "./free-request";
import { lowBalanceThreshold, setThreshold } from "./low-balance";
import { autoTopupState, pendingCharges, setAutoTopup, type AutoTopupSettings, type AutoTopupState } from "./auto-topup";
import { applyOutcome, askStripe } from "./auto-topup-charge";
import { expirePlanCredit, grantPlanCredit, nextPlanExpiry, type PlanGrant, type PlanGrantResult } from "./plan-credit";
import type { Env } from "../env";
import { sealedProviderKeys } from "./byok-store";
import { WalletDO } from "./wallet-do";
import { admit, statusRefusal } from "./admission";
import { findUsableKey, insertKey, isRefusal, listKeys, revokeKey, updateKey } from "./keys";
import { balance, ledgerSnapshot, listLedger, MAX_BALANCE_NANO, post, type LedgerSnapshot } from "./ledger";
import { closeAccount, type ClosureFigures } from "./closure";
import { findPendingUsage, pendingOutbox } from "./outbox";
import { walletRead, type WalletRead, type WalletReadResult } from "./wallet-reads";
import { applyUsageLifecycle, findPendingRecord, flushAll, planeSnapshot, USAGE_PLANE_SCHEMA, usagePlaneConfig, type PlaneSnapshot } from "./usage-plane";
import { applyCumulative, creditPurchase, disputeChanged, PAYMENTS_SCHEMA, reconcileDisputeStatus, type CumulativeInput, type CumulativeResult, type DisputeState } from "./payments";
import { expireReservations, settle } from "./settlement";
import { finishHold, holdRefund, type HoldInput, type HoldOutcome, type HoldResult } from "./refund-holds";
import { one, REQUEST_RETENTION_MS } from "./storage";
import { accountSummary, type AccountSummary } from "./summary";
import { chainContext, pruneResponses, responseNotFound } from "./chains";
import { rateWindow } from "./rate-limit";
import type { AccountStatus, KeyPatch, AdmitInput, AdmitSettings, AdmitResult, KeyInfo, LedgerEntry, NewKey, SettleInput, SettleResult, VerifyResult } from "./types";
import { nano } from "../lib/money";

const FLUSH_DELAY_MS = 1000;
const MAX_BACKOFF_MS = 300_000;
const AUTO_TOPUP_RETRY_MS = 60_000;

export type CreditResult = { ok: true; entry: LedgerEntry; duplicate: boolean } | { ok: false; code: "balance_limit_exceeded" };

/**
 * One per wallet: a user's own (addressed by user id) or an organization's (by its org id). The authority for the balance, reservations, keys,
 * rate-limit counters and the outbox that feeds D1. Methods are called over RPC; each one is
 * synchronous against SQLite, so it is atomic and concurrent requests are serialised here.
 */
export class AccountDO extends WalletDO {
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql.exec(USAGE_PLANE_SCHEMA);
    void ctx.blockConcurrencyWhile(async () => { this.alarmAt = await ctx.storage.getAlarm(); });
  }

  /** The wallet's owner, read once it exists (the account row's user_id is never rewritten). */
  private owner: string | null = null;
  private userId(): string | null {
    return (this.owner ??= one<{ user_id: string }>(this.sql, "SELECT user_id FROM account WHERE id = 1")?.user_id ?? null);
  }

  private status(): string {
    return one<{ status: string }>(this.sql, "SELECT status FROM account WHERE id = 1")?.status ?? "active";
  }

  /** Creates the account row once; later calls are no-ops. Self-service sign-ups start "unverified". */
  init(userId: string, now = Date.now(), status: AccountStatus = "active"): void {
    this.sql.exec("INSERT OR IGNORE INTO account (id, user_id, balance_nano, status, created_at) VALUES (1, ?, 0, ?, ?)", userId, status, now);
  }

  setStatus(status: AccountStatus): void {
    this.sql.exec("UPDATE account SET status = ? WHERE id = 1", status);
  }

  /**
   * The operator's suspension: every key refused with 403 until unsuspend (deleted stays deleted).
   * Lifting it restores what the account would otherwise be: unverified, disputed or active.
   */
  setSuspended(suspended: boolean, userId: string, emailVerified: boolean): string {
    this.init(userId);
    return this.ctx.storage.transactionSync(() => {
      const now = this.status();
      if (now === "deleted") return now;
      if (suspended) this.setStatus("suspended");
      else if (now === "suspended") this.setStatus(emailVerified ? "active" : "unverified");
      this.sql.exec(PAYMENTS_SCHEMA);
      return reconcileDisputeStatus(this.sql);
    });
  }

  /**
   * Admission (./admission.ts, which also gives the request its max charge, ./overdraft.ts), plus: a chained /responses
   * request reserves for the stored conversation it pulls in, or is refused 404 if the id is not this wallet's (./chains.ts).
   */
  admit(input: AdmitInput): AdmitResult {
    const result = this.ctx.storage.transactionSync((): AdmitResult => {
      const previous = input.previousResponseId;
      // The key first: a never-issued key learns nothing about which response ids exist here.
      const key = previous ? findUsableKey(this.sql, input.keyHash, input.now) : null;
      if (key && isRefusal(key)) return key;
      const chainTokens = previous ? chainContext(this.sql, previous, input.now) : 0;
      if (chainTokens === null) return responseNotFound(previous!);
      const account = one<{ balance_nano: number; status: string }>(this.sql, "SELECT balance_nano, status FROM account WHERE id = 1");
      const admitted = admit(this.sql, { ...input, promptTokensEstimate: input.promptTokensEstimate + chainTokens }, account?.balance_nano ?? 0, account?.status ?? "active");
      const byok = admitted.ok ? sealedProviderKeys(this.sql) : [];
      return !admitted.ok ? admitted : { ...admitted, chainTokens, ...(byok.length ? { byok: [...byok] } : {}) };
    });
    if (result.ok) void this.schedule(input.now + input.settings.reservationTtlMs);
    return result;
  }

  settle(input: SettleInput): SettleResult {
    const userId = this.userId() ?? "unknown";
    const now = Date.now();
    const result = this.ctx.storage.transactionSync(() => settle(this.sql, userId, input, now, usagePlaneConfig(this.env).d1Mirror));
    void this.schedule(now + FLUSH_DELAY_MS);
    return result;
  }

  /** Moves an open reservation's expiry (a long stream is still running). */
  extend(requestId: string, expiresAt: number): boolean {
    const ok = this.sql.exec("UPDATE requests SET expires_at = max(expires_at, ?) WHERE request_id = ? AND state = 'reserved'", expiresAt, requestId).rowsWritten > 0;
    if (ok) void this.schedule(expiresAt);
    return ok;
  }

  /** An unbilled request (count_tokens): counted against the key's rpm limit, no reservation. */
  countFreeRequest(keyHash: string, settings: AdmitSettings, requestId: string, now = Date.now()): VerifyResult {
    return this.ctx.storage.transactionSync(() => countFreeRequest(this.sql, keyHash, settings, this.status(), requestId, now));
  }

  /** Checks a key for read-only routes; reports its rate-limit state without counting a request. */
  verifyKey(keyHash: string, settings: AdmitSettings, now = Date.now()): VerifyResult {
    const key = findUsableKey(this.sql, keyHash, now);
    if (isRefusal(key)) return key;
    // The same account rule as admission: only an active account's keys read /v1 data.
    const status = this.status();
    if (status !== "active") return statusRefusal(status);
    return { ok: true, key, rate: rateWindow(this.sql, key, now, settings) };
  }

  createKey(userId: string, key: NewKey): void {
    this.init(userId);
    insertKey(this.sql, key);
  }

  revokeKey(keyId: string, now = Date.now()): boolean {
    return revokeKey(this.sql, keyId, now);
  }

  /** Renames a key or changes its limits; the next admission sees the change. Null: no such live key. */
  updateKey(keyId: string, patch: KeyPatch, now = Date.now()): KeyInfo | null {
    return updateKey(this.sql, keyId, patch, now);
  }

  listKeys(): KeyInfo[] {
    return listKeys(this.sql);
  }

  /**
   * Account deletion: status "deleted", every key revoked, in one atomic step (see ./closure.ts).
   * Returns the figures the refund of unused purchased credit is computed from. Safe to repeat.
   */
  closeAccount(now = Date.now(), userId?: string): ClosureFigures {
    if (userId) this.init(userId, now);
    return this.ctx.storage.transactionSync(() => closeAccount(this.sql, now));
  }

  /** Adds (or with a negative amount, removes) credit with a ledger entry; idempotent by (kind, ref). */
  credit(userId: string, change: { kind: LedgerEntry["kind"]; amountNano: number; ref: string; note?: string | null }): CreditResult {
    this.init(userId);
    const after = balance(this.sql) + change.amountNano;
    if (!Number.isSafeInteger(change.amountNano) || after > MAX_BALANCE_NANO) return { ok: false, code: "balance_limit_exceeded" };
    const now = Date.now();
    const result = this.ctx.storage.transactionSync(() => ({ ok: true as const, ...post(this.sql, userId, { ...change, amountNano: nano(change.amountNano) }, now) }));
    void this.schedule(now + FLUSH_DELAY_MS);
    return result;
  }

  /** A paid Stripe purchase (ledger kind "purchase", ref = the checkout session, aliases = its payment intent); posts refunds and disputes that waited for it (./payments.ts). */
  creditPurchase(userId: string, change: { ref: string; amountNano: number; note?: string | null; aliases?: string[] }): { entry: LedgerEntry; duplicate: boolean } {
    return this.step(userId, (now) => creditPurchase(this.sql, userId, change, now));
  }

  /** Moves the ledger to a running total (refunds of a payment, a lost dispute), posting only the part not in it yet. */
  applyCumulative(userId: string, input: CumulativeInput): CumulativeResult {
    return this.step(userId, (now) => applyCumulative(this.sql, userId, input, now));
  }

  /** A card dispute opened or closed: account status and, when lost, the amount taken back (./payments.ts). */
  disputeChanged(userId: string, input: { disputeId: string; state: DisputeState; amountNano: number; afterRef?: string | null; note?: string | null }) {
    return this.step(userId, (now) => disputeChanged(this.sql, userId, input, now));
  }

  /** An approved refund's amount leaves the balance before Stripe is asked (./refund-holds.ts). */
  holdRefund(userId: string, input: HoldInput): HoldResult {
    return this.step(userId, (now) => holdRefund(this.sql, userId, input, now));
  }

  /** Stripe's answer for a held refund: recorded by id, or the hold credited back (./refund-holds.ts). */
  finishRefundHold(userId: string, input: HoldOutcome): { targetNano: number } | null {
    return this.step(userId, (now) => finishHold(this.sql, userId, input, now));
  }

  ledger(limit = 100): LedgerEntry[] {
    return listLedger(this.sql, limit);
  }

  /** Sets or (null) clears the low-balance email threshold; the ledger detects the crossing (./low-balance.ts). */
  setLowBalanceThreshold(thresholdNano: number | null): { thresholdNano: number | null } {
    this.ctx.storage.transactionSync(() => setThreshold(this.sql, thresholdNano === null ? null : nano(thresholdNano), balance(this.sql)));
    return { thresholdNano: lowBalanceThreshold(this.sql) };
  }

  /** Turns the opt-in auto top-up on with these figures, or off with null (./auto-topup.ts). */
  setAutoTopup(userId: string, input: AutoTopupSettings | null): AutoTopupState {
    return this.step(userId, (now) => setAutoTopup(this.sql, input, balance(this.sql), now));
  }

  autoTopup(): AutoTopupState {
    return autoTopupState(this.sql, Date.now());
  }

  /** Asks Stripe for each pending auto top-up charge and records the answers (./auto-topup-charge.ts); run by the alarm. */
  async runAutoTopups(): Promise<number> {
    const userId = this.userId() ?? "unknown";
    const charges = pendingCharges(this.sql);
    for (const charge of charges) {
      const outcome = await askStripe(this.env, userId, charge);
      this.step(userId, (now) => applyOutcome(this.sql, userId, charge, outcome, now));
      if (outcome.kind === "retry") void this.schedule(Date.now() + AUTO_TOPUP_RETRY_MS);
    }
    return charges.length;
  }

  /** A paid subscription invoice's plan credit, once per invoice; expires at the period's end (./plan-credit.ts). */
  grantPlanCredit(userId: string, grant: PlanGrant): PlanGrantResult {
    const result = this.step(userId, (now) => grantPlanCredit(this.sql, userId, grant, now));
    void this.schedule(grant.periodEnd);
    return result;
  }

  /** Expires the plan credit of every period ended by `now` (also run by the alarm). */
  expirePlanCredit(now = Date.now()): number {
    const userId = this.userId();
    return userId ? this.step(userId, () => expirePlanCredit(this.sql, userId, now)) : 0;
  }

  /** The ledger figures reconciliation compares with D1 (src/billing/reconcile.ts). */
  ledgerSnapshot(since = 0, usageInD1 = true): LedgerSnapshot {
    return ledgerSnapshot(this.sql, since, usageInD1);
  }

  summary(): AccountSummary {
    return accountSummary(this.sql, this.userId(), this.status());
  }


  pendingUsage(requestId: string) { return findPendingUsage(this.sql, requestId) ?? findPendingRecord(this.sql, requestId, this.userId() ?? "unknown"); }

  /** The wallet's own tier for readers: recent usage records, the ledger, daily balances (./wallet-reads.ts). */
  read(q: WalletRead): WalletReadResult { return walletRead(this.sql, q); }

  /** Drains the outbox into D1 and the usage records into the usage queue now (also done by the alarm). Returns rows delivered. */
  async flushOutbox(): Promise<number> {
    return flushAll(this.ctx.storage, this.env, this.userId() ?? "unknown");
  }

  /** The usage plane's running totals at `batch` (D1's usage_cursors.last_batch), for reconciliation. */
  usagePlaneSnapshot(batch: number): PlaneSnapshot { return planeSnapshot(this.sql, batch); }

  async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = Date.now();
    const userId = this.userId() ?? "unknown";
    this.ctx.storage.transactionSync(() => {
      expireReservations(this.sql, userId, now, usagePlaneConfig(this.env).d1Mirror);
      expirePlanCredit(this.sql, userId, now);
      this.sql.exec("DELETE FROM requests WHERE state <> 'reserved' AND created_at < ?", now - REQUEST_RETENTION_MS);
      pruneResponses(this.sql, now);
      applyUsageLifecycle(this.sql, now, usagePlaneConfig(this.env));
    });
    try {
      await this.runAutoTopups();
      await this.flushOutbox();
    } catch {
      const attempts = pendingOutbox(this.sql).maxAttempts;
      await this.schedule(Date.now() + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 16)));
    }
    const nextExpiry = one<{ t: number | null }>(this.sql, "SELECT min(expires_at) AS t FROM requests WHERE state = 'reserved'")?.t;
    const nextPlanEnd = nextPlanExpiry(this.sql);
    if (nextExpiry || nextPlanEnd) await this.schedule(Math.min(nextExpiry || Infinity, nextPlanEnd ?? Infinity));
  }

  /** One atomic step for a user's wallet: created if new, then `fn` in a transaction, then the outbox flush scheduled. */
  private step<T>(userId: string, fn: (now: number) => T): T {
    this.init(userId);
    const now = Date.now();
    const result = this.ctx.storage.transactionSync(() => fn(now));
    void this.schedule(now + FLUSH_DELAY_MS);
    return result;
  }

  private async schedule(at: number): Promise<void> {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }
}
