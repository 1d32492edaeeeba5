import type { AdmitSettings } from "../config";
import type { Nano } from "../lib/money";
import type { SealedProviderKey } from "./byok-store";

/** The window a key's spend limit applies to: a UTC day, an ISO week (from Monday), a calendar month, or the key's lifetime. */
export type SpendPeriod = "daily" | "weekly" | "monthly" | "total";

/** Per-key limits; null = not limited (rpm/tpm fall back to the deployment defaults). */
export interface KeyLimits {
  rpm: number | null;
  tpm: number | null;
  maxConcurrency: number | null;
  spendLimitNano: Nano | null;
  spendLimitPeriod: SpendPeriod;
  models: string[] | null;
  expiresAt: number | null;
}

export interface KeyInfo extends KeyLimits {
  id: string;
  name: string;
  prefix: string;
  last4: string;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
  /** Everything the key was ever charged. */
  spentNano: Nano;
  /** Charged in the current spend-limit period (= spentNano for "total"). */
  periodSpentNano: Nano;
  /** An organization's key: the member who created it; null on a user's own key. */
  memberId: string | null;
  /** Disabled through the provisioning API (refused until enabled again). */
  disabled: boolean;
}

/** A change to a key: undefined = unchanged, null = limit cleared. */
export type KeyPatch = Partial<KeyLimits & { name: string; disabled: boolean }>;

export interface NewKey extends KeyLimits {
  /** An organization's key: the member creating it. */
  memberId?: string | null;
  id: string;
  name: string;
  keyHash: string;
  prefix: string;
  last4: string;
  createdAt: number;
}

/** Rate-limit state reported in x-ratelimit-* headers. */
export interface RateInfo {
  limitRequests: number;
  remainingRequests: number;
  resetRequestsMs: number;
  limitTokens: number;
  remainingTokens: number;
  resetTokensMs: number;
}

export type { AdmitSettings } from "../config";

export interface AdmitInput {
  keyHash: string;
  requestId: string;
  model: string;
  /** Every model that may serve the request (fallbacks included); each must pass the key's allow-list. */
  models?: string[];
  now: number;
  /** pUSD per token (= catalog µUSD per 1M tokens). */
  inputPrice: number;
  outputPrice: number;
  promptTokensEstimate: number;
  /** The client's max_tokens / max_completion_tokens, if any; null for embeddings-like requests use 0. */
  requestedMaxOutput: number | null;
  modelMaxOutput: number | null;
  /** /responses: the stored response the provider will read again; its context tokens are added to the prompt estimate (src/account/chains.ts). */
  previousResponseId?: string | null;
  settings: AdmitSettings;
}

export type Refusal = {
  ok: false;
  status: 401 | 402 | 403 | 404 | 429;
  code: string;
  message: string;
  /** The request field the refusal is about (OpenAI's error `param`), and an error type other than the status's default. */
  param?: string;
  type?: string;
  rate?: RateInfo;
  retryAfterSeconds?: number;
};

export type AdmitResult =
  | {
    ok: true; keyId: string; reservedNano: Nano; outputCap: number | null; rate: RateInfo;
    /** The most this request can be charged: its reservation plus its share of the wallet's overdraft (src/account/overdraft.ts). */
    maxChargeNano?: Nano;
    /** Context tokens of the stored conversation (previousResponseId) included in the reservation's prompt estimate. */
    chainTokens?: number;
    /** Output tokens the reservation covers (the client's max_tokens, or the allowance chosen for it). */
    outputAllowance?: number;
    /** The wallet's own provider keys (BYOK), sealed; the worker opens them (src/byok/seal.ts). */
    byok?: SealedProviderKey[];
  }
  | Refusal;

export type VerifyResult = { ok: true; key: KeyInfo; rate: RateInfo } | Refusal;

export type UsageSource = "upstream" | "estimated" | "clamped";
export type RequestStatus = "success" | "upstream_error" | "client_disconnected" | "stream_error" | "expired";

export interface SettleInput {
  requestId: string;
  keyId: string;
  model: string;
  provider: string;
  /** Upstream attempts made (fallbacks and retries included). */
  attempts: number;
  endpoint: string;
  stream: boolean;
  startedAt: number;
  latencyMs: number;
  status: RequestStatus;
  httpStatus: number;
  errorCode: string | null;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costNano: Nano;
  usageSource: UsageSource;
  overdraftNano: Nano;
  /** For model "auto": the choice and why. */
  routeReason?: string | null;
  /** The catalog price the request was billed at: `<model id>@<price_updated_at>` (D1 price_versions). */
  priceVersion?: string | null;
  /** /responses: a response the provider stored, recorded for later chained requests (src/account/chains.ts). */
  storedResponse?: { id: string; contextTokens: number } | null;
}

/** chargedNano: what the balance lost; waivedNano: the part of the cost above the request's maxCharge (a `waiver` ledger row). */
export interface SettleResult { chargedNano: Nano; balanceNano: Nano; duplicate: boolean; waivedNano?: Nano }

export interface LedgerEntry {
  id: string;
  kind: "grant" | "promo" | "usage" | "purchase" | "refund" | "dispute" | "adjustment" | "waiver" | "plan_credit" | "plan_expiry";
  amountNano: Nano;
  /** `waiver` rows only (their amount is 0): the part of a request's cost that was not charged. */
  waivedNano?: Nano;
  /** A `usage` row of ref `day:YYYY-MM-DD` only: how many per-request charges it folds (src/account/ledger-compaction.ts). */
  charges?: number;
  balanceAfterNano: Nano;
  ref: string;
  note: string | null;
  createdAt: number;
}

/** unverified: signed up, email not confirmed yet; disputed: a card dispute is open (issue of P6/P9). */
export type AccountStatus = "active" | "unverified" | "suspended" | "disputed" | "deleted";
