import type { PromptFigures } from "../../billing/estimate";
import type { CatalogModel } from "../../catalog/catalog";
import type { GatewayConfig } from "../../config";
import type { Env } from "../../env";
import type { StreamTranslator, TransformContext, UpstreamRequest } from "../../providers/transform";
import type { TokenUsage } from "../../providers/types";
import type { Candidate } from "../dispatch";
import type { AdmitExtra, Charge, Served, SettleExtra } from "../meter";
import type { Relayed } from "./bill";
import type { Settled, StreamSink } from "../stream-relay";

/** The caller, as the api-key middleware identified it. */
export interface Caller { userId: string; keyHash: string }

/** What an endpoint decided before admission: who may serve, what the prompt weighs, what output is asked. */
export interface Plan {
  /** The model asked for first, then its fallbacks; the reservation covers the dearest. */
  models: CatalogModel[];
  /** The candidates that can express the request (a 400 was thrown if none can). */
  candidates: Candidate[];
  prompt: PromptFigures;
  /** The client's output limit, or null (the Durable Object picks the allowance); 0 for embeddings. */
  requestedMaxOutput: number | null;
  stream: boolean;
  /** Extra answer headers (e.g. model "auto"'s choice). */
  headers?: Record<string, string>;
  /** For model "auto": why, kept on the usage record. */
  routeReason?: string | null;
  /** The prompt may be written to a 1-hour cache (Anthropic's cache_control.ttl "1h"): reserved at that price. */
  oneHourCache?: boolean;
}

/**
 * An endpoint's optional asynchronous step between planning and admission. It may throw an
 * ApiError (nothing is reserved then), add prompt tokens text cannot see (e.g. a stored
 * conversation), and add fields to the admission and the settlement.
 */
export interface PreAdmission {
  /** Tokens to add to the prompt estimate (and so to the reservation). */
  extraPromptTokens?: number;
  admitExtra?: AdmitExtra;
  settleExtra?: SettleExtra;
}

/** Everything an endpoint needs to know about the attempt that served. */
export interface ServedContext {
  candidate: Candidate;
  served: Served;
  requestId: string;
  transform: TransformContext;
  /** The prompt estimate the reservation was made for. */
  promptEstimate: number;
}

/** A non-streamed answer as the endpoint read it. */
export interface Answer {
  /** The provider's usage, normalised, or null when missing or unusable. */
  reported: TokenUsage | null;
  /** Output text the answer holds (for the gateway's own count; never stored). */
  output: string;
  /** The client's body, given the billed usage and the charge (usage.cost = what was charged). */
  body(billed: { usage: TokenUsage; source: Settled["source"] }, charge: Charge): unknown;
}

/** The result of settlement, for an endpoint's after-settlement hook. */
export interface SettleReport {
  usage: TokenUsage;
  source: Settled["source"];
  charge: Charge;
  served: Served;
  requestId: string;
  /** The upstream body of a non-streamed answer (null for streams). */
  upstreamBody: unknown;
}

/**
 * One metered endpoint. The pipeline (run.ts) does the rest, once for all of them: priced
 * options, admission, dispatch with fallbacks, headers, usage bounds, errors and settlement.
 */
export interface EndpointAdapter {
  /** As the usage record names it: "chat.completions", "messages", "responses", "embeddings". */
  endpoint: string;
  /** Request id prefix ("gen-", "msg_", "emb-"). */
  idPrefix: string;
  /** Models, candidates and what the request weighs; throws ApiError (nothing reserved). */
  plan(env: Env, cfg: GatewayConfig): Promise<Plan>;
  /** (optional) The asynchronous pre-admission step (see PreAdmission). */
  beforeAdmission?(env: Env, caller: Caller, plan: Plan): Promise<PreAdmission>;
  /** The upstream request for a candidate. */
  build(candidate: Candidate, ctx: TransformContext): UpstreamRequest;
  /** Reads a non-streamed upstream body; throws if it is unreadable (nothing is charged). */
  read(json: unknown, s: ServedContext): Answer;
  /** The translator and the client-format sink for a streamed answer. */
  stream?(s: ServedContext): { translator: StreamTranslator; sink: StreamSink };
  /** Headers of this surface's own, added to the gateway's (e.g. Anthropic's request-id). */
  headers?(requestId: string): Record<string, string>;
  /**
   * (optional) Fields for the settlement, given the billed usage and the upstream body of a
   * non-streamed answer (null for a stream: an adapter reads what it needs from its own sink),
   * e.g. `storedResponse: { id, contextTokens }` for /responses.
   */
  settleFields?(billed: { usage: TokenUsage; source: Settled["source"] }, upstreamBody: unknown): SettleExtra;
  /** (optional) Runs after settlement was sent, with what was billed. Must not throw. */
  afterSettle?(report: SettleReport): void;
}

export type { Relayed };
