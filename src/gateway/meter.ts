import type { AccountDO } from "../account/account-do";
import { accountStub } from "../account/client";
import type { RateInfo, Refusal, RequestStatus, SettleInput, UsageSource } from "../account/types";
import type { CatalogModel } from "../catalog/catalog";
import type { GatewayConfig } from "../config";
import type { Env } from "../env";
import { ApiError } from "../errors";
import type { TokenUsage } from "../providers/types";
import { chargeFor as chargedFor } from "../lib/charge";
import { nano, type Nano } from "../lib/money";
import { oneHourWritePrice } from "../billing/pricing";
import { priceUsage } from "../billing/usage";
import type { SealedProviderKey } from "../account/byok-store";
import { byokFee } from "./byok";

export function rateHeaders(r: RateInfo): Record<string, string> {
  return {
    "x-ratelimit-limit-requests": String(r.limitRequests),
    "x-ratelimit-remaining-requests": String(r.remainingRequests),
    "x-ratelimit-reset-requests": `${Math.ceil(r.resetRequestsMs / 1000)}s`,
    "x-ratelimit-limit-tokens": String(r.limitTokens),
    "x-ratelimit-remaining-tokens": String(r.remainingTokens),
    "x-ratelimit-reset-tokens": `${Math.ceil(r.resetTokensMs / 1000)}s`,
  };
}

export function refusalError(r: Refusal): ApiError {
  const headers = r.rate ? rateHeaders(r.rate) : {};
  if (r.retryAfterSeconds) headers["retry-after"] = String(r.retryAfterSeconds);
  return new ApiError(r.status, r.code, r.message, { headers, ...(r.param ? { param: r.param } : {}), ...(r.type ? { type: r.type } : {}) });
}

export interface AdmitParams {
  userId: string;
  keyHash: string;
  requestId: string;
  /** The model asked for; with fallbacks, `pricing` holds the highest prices among the candidates. */
  model: CatalogModel;
  pricing?: Pick<CatalogModel, "inputPrice" | "outputPrice" | "maxOutputTokens" | "cacheWritePrice" | "cacheWrite1hPrice">;
  /** Every model that may serve (the requested one and its fallbacks); default: just `model`. */
  models?: CatalogModel[];
  promptTokensEstimate: number;
  requestedMaxOutput: number | null;
  endpoint: string;
  stream: boolean;
  /** For model "auto": the choice and why (kept on the usage record). */
  routeReason?: string | null;
  /** Endpoint-specific fields for the Durable Object's admit (see AdmitExtra). */
  extra?: AdmitExtra;
  /** /messages asks for a 1-hour cache (cache_control.ttl "1h"): the prompt may be billed at the 1-hour cache-write price. */
  oneHourCache?: boolean;
}

export interface Outcome {
  status: RequestStatus;
  httpStatus: number;
  errorCode: string | null;
  usage: TokenUsage;
  usageSource: UsageSource;
}

/** Who served the request: the model and provider that answered, after how many upstream attempts. */
export interface Served {
  model: CatalogModel;
  provider: string;
  attempts: number;
  /** Served with the caller's own provider key: charged the BYOK fee instead of the price. */
  byok?: boolean;
}

/**
 * Settlement is idempotent by request id, so a failed RPC (a Durable Object restart or deploy)
 * is simply sent again; only if every try fails does the reservation expire uncharged.
 * Each try takes a fresh stub: a stub whose object was reset stays broken.
 */
async function settleWithRetry(stubs: () => DurableObjectStub<AccountDO>, input: SettleInput, delays = [0, 1000, 4000]): Promise<void> {
  for (const delay of delays) {
    if (delay) await new Promise((r) => setTimeout(r, delay));
    try {
      await stubs().settle(input);
      return;
    } catch {
      // try again
    }
  }
}

/** The part of an execution context settlement needs. */
export interface WaitUntil { waitUntil(promise: Promise<unknown>): void }

const ZERO: TokenUsage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

/** Fields an endpoint adds to the Durable Object's admit input (e.g. `previousResponseId` for /responses). */
export type AdmitExtra = Readonly<Record<string, string | number | boolean | null>>;
/** Fields an endpoint adds to the settlement (e.g. `storedResponse: { id, contextTokens }` for /responses). */
export type SettleExtra = Readonly<Record<string, unknown>>;

/** What settlement charged: the cost of the billed usage, bounded by the admission's maxChargeNano. */
export interface Charge { costNano: Nano; chargedNano: Nano; clamped: boolean }

/**
 * The most this request may be charged: the Durable Object's figure when it gives one
 * (reservation + this request's bounded overdraft), else the reservation plus the overdraft
 * setting. charged = min(cost, maxChargeNano) — the same rule the Durable Object applies.
 */
export function maxChargeFor(result: { reservedNano: number; maxChargeNano?: Nano }, cfg: GatewayConfig): Nano {
  return result.maxChargeNano ?? nano(result.reservedNano + cfg.overdraftNano);
}

export function chargeFor(costNano: Nano, maxChargeNano: Nano): Charge {
  const chargedNano = chargedFor(costNano, maxChargeNano);
  return { costNano, chargedNano, clamped: chargedNano < costNano };
}

/**
 * One admitted request: the reservation the user's Durable Object took, and the single
 * settlement that ends it. Settlement runs in waitUntil and never delays the client.
 */
export class Admission {
  private settled = false;
  /** Before dispatch: the model asked for, not tried yet. */
  readonly unserved: Served;

  constructor(
    /** A fresh stub of the user's Durable Object per call (see settleWithRetry). */
    private readonly stubs: () => DurableObjectStub<AccountDO>,
    private readonly ctx: WaitUntil,
    private readonly cfg: GatewayConfig,
    readonly params: AdmitParams,
    readonly keyId: string,
    readonly outputCap: number | null,
    readonly outputAllowance: number,
    readonly rate: RateInfo,
    readonly startedAt: number,
    readonly reservedNano: number,
    readonly maxChargeNano: Nano,
    /** Stored-conversation tokens admission added to the prompt estimate (previous_response_id). */
    readonly chainTokens = 0,
    /** The wallet's own provider keys (sealed), for the candidates (./byok.ts). */
    readonly byok?: SealedProviderKey[],
  ) {
    this.unserved = { model: params.model, provider: params.model.provider, attempts: 0 };
  }

  /** x-request-id and the x-ratelimit-* headers: on every answer, errors included. */
  get headers(): Record<string, string> {
    return { ...rateHeaders(this.rate), "x-request-id": this.params.requestId };
  }

  /** What settling this usage would charge now (the cost, bounded by maxChargeNano). */
  preview(usage: TokenUsage, served: Served): Charge {
    const cost = priceUsage(usage, served.model);
    return chargeFor(served.byok ? byokFee(cost, this.cfg.byokFeeBps) : cost, this.maxChargeNano);
  }

  /** Settles once; later calls are ignored. Returns what was charged (never more than maxChargeNano). */
  settle(outcome: Outcome, served: Served, extra: SettleExtra = {}): Charge {
    if (this.settled) return { costNano: nano(0), chargedNano: nano(0), clamped: false };
    this.settled = true;
    const charge = outcome.status === "upstream_error" ? chargeFor(nano(0), this.maxChargeNano) : this.preview(outcome.usage, served);
    const p = this.params;
    const input: SettleInput = {
      ...extra,
      requestId: p.requestId, keyId: this.keyId, model: served.model.id, provider: served.provider, attempts: Math.max(1, served.attempts), endpoint: p.endpoint,
      stream: p.stream, startedAt: this.startedAt, latencyMs: Date.now() - this.startedAt, status: outcome.status,
      httpStatus: outcome.httpStatus, errorCode: outcome.errorCode, promptTokens: outcome.usage.promptTokens,
      completionTokens: outcome.usage.completionTokens, cachedTokens: outcome.usage.cachedTokens,
      // The whole cost: the wallet charges min(cost, max charge) by the same rule and books the rest as a waiver.
      reasoningTokens: outcome.usage.reasoningTokens, costNano: charge.costNano,
      usageSource: charge.clamped ? "clamped" : outcome.usageSource, overdraftNano: this.cfg.overdraftNano,
      routeReason: p.routeReason ?? null, priceVersion: `${served.model.id}@${served.model.priceUpdatedAt}`,
    };
    this.ctx.waitUntil(settleWithRetry(this.stubs, input));
    return charge;
  }

  /**
   * A failure before anything was delivered: release the reservation and charge nothing.
   * Returns the error to throw, carrying the request id and rate-limit headers.
   */
  fail(err: unknown, served: Served = this.unserved): unknown {
    if (!(err instanceof ApiError)) {
      this.settle({ status: "upstream_error", httpStatus: 500, errorCode: "internal_error", usage: ZERO, usageSource: "upstream" }, served);
      return err;
    }
    this.settle({ status: "upstream_error", httpStatus: err.status, errorCode: err.code, usage: ZERO, usageSource: "upstream" }, served);
    return new ApiError(err.status, err.code, err.message, { ...err.options, headers: { ...this.headers, ...err.options.headers } });
  }

  private extendedAt = 0;

  /** While a stream runs, pushes its reservation's expiry forward (at most every third of the TTL). */
  keepAlive(now = Date.now()): void {
    const ttl = this.cfg.reservationTtlMs;
    if (this.settled || now - Math.max(this.extendedAt, this.startedAt) < ttl / 3) return;
    this.extendedAt = now;
    this.ctx.waitUntil(this.stubs().extend(this.params.requestId, now + ttl).then(() => undefined, () => undefined));
  }
}

export async function admitRequest(env: Env, ctx: WaitUntil, cfg: GatewayConfig, p: AdmitParams): Promise<Admission> {
  const stub = accountStub(env, p.userId);
  const now = Date.now();
  const pricing = p.pricing ?? p.model;
  const result = await stub.admit({
    ...p.extra,
    keyHash: p.keyHash, requestId: p.requestId, model: p.model.id, models: (p.models ?? [p.model]).map((m) => m.id), now,
    // A prompt may be billed as cache writes, which can cost more than plain input.
    inputPrice: Math.max(pricing.inputPrice, pricing.cacheWritePrice ?? 0, p.oneHourCache ? oneHourWritePrice(pricing) : 0), outputPrice: pricing.outputPrice,
    promptTokensEstimate: p.promptTokensEstimate, requestedMaxOutput: p.requestedMaxOutput,
    modelMaxOutput: p.model.kind === "chat" ? pricing.maxOutputTokens : 0,
    settings: cfg,
  });
  if (!result.ok) throw refusalError(result);
  const allowance = result.outputAllowance ?? p.requestedMaxOutput ?? result.outputCap ?? pricing.maxOutputTokens ?? cfg.defaultAllowance;
  return new Admission(() => accountStub(env, p.userId), ctx, cfg, p, result.keyId, result.outputCap, allowance, result.rate, now,
    result.reservedNano, maxChargeFor(result, cfg), result.chainTokens ?? 0, result.byok);
}
