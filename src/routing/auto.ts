import type { Catalog, CatalogModel } from "../catalog/catalog";
import { ApiError } from "../errors";
import type { ChatCompletionRequest } from "../wire/chat";
import { channelProviders } from "./available";
import { classifyChatRequest, type TaskType } from "./classify";
import { measuredEnough, rankedIds, type StatsByModel } from "./measured";

/** The `model` value that asks the gateway to choose (see docs/routing.md). */
export const AUTO_MODEL_ID = "auto";

export { PREFERENCES, preferenceNote } from "./preferences";
export { recommendations, type Recommendation } from "./recommend";
import { PREFERENCES } from "./preferences";

export type Capability = "tools" | "vision" | "json" | "reasoning";

/** Price ceiling in the catalog unit: µUSD per 1M tokens (= pUSD per token). */
export interface MaxPrice {
  prompt: number;
  completion: number;
}

export interface AutoOptions {
  /** A model qualifies only if input price ≤ prompt and output price ≤ completion. */
  maxPrice?: MaxPrice;
  /** Whether the gateway can serve the model now (servableOn: a channel's provider is configured). Default: all. */
  available?: (m: CatalogModel) => boolean;
  /** Output tokens assumed for the context check when the request sets no max_tokens (default 4096). */
  defaultOutputTokens?: number;
  /** Passed to the classifier. */
  longContextTokens?: number;
  /** Measured performance (readModelStats): the task's list is tried in score order once measured (src/routing/measured.ts). */
  stats?: StatsByModel;
}

/** The first filter a listed model failed, in the order they are applied. */
export type Exclusion =
  | "not_in_catalog" | "not_chat" | "missing_capability" | "output_too_small" | "context_too_small" | "over_max_price" | "unavailable";

export interface Candidate {
  id: string;
  /** 1-based position in the order tried: the task's list, or its measured ranking (AutoOptions.stats). */
  rank: number;
  /** null = passed every filter. */
  excluded: Exclusion | null;
  /** Human-readable (ASCII) detail of the exclusion, null when not excluded. */
  detail: string | null;
}

interface Decision {
  task: TaskType;
  /** Classifier signals behind `task`. */
  signals: string[];
  promptTokens: number;
  /** Capabilities the request itself needs (from its content and parameters). */
  required: Capability[];
  /** Every model of the task's list, in list order, with its verdict. */
  candidates: Candidate[];
  /** One ASCII line: the task, the choice and what was skipped (fit for a response header). */
  reason: string;
}

export interface AutoPicked extends Decision {
  ok: true;
  model: CatalogModel;
}

export interface AutoNoneFits extends Decision {
  ok: false;
}

export type AutoResult = AutoPicked | AutoNoneFits;

const DEFAULT_OUTPUT_TOKENS = 4096;
const REASON_MAX = 480;

type RoutableRequest = Pick<ChatCompletionRequest, "messages" | "tools" | "response_format" | "reasoning_effort" | "max_tokens" | "max_completion_tokens">;

/** Capabilities a request needs whatever its task: images → vision, tools (or tool history) → tools, JSON output → json, reasoning_effort → reasoning. */
export function requiredCapabilities(req: RoutableRequest): Capability[] {
  const out: Capability[] = [];
  const hasImage = req.messages.some((m) => Array.isArray((m as { content?: unknown }).content)
    && ((m as { content: Array<{ type: string }> }).content).some((p) => p.type === "image_url"));
  if (hasImage) out.push("vision");
  const toolHistory = req.messages.some((m) => m.role === "tool" || (m.role === "assistant" && (m.tool_calls?.length ?? 0) > 0));
  if ((req.tools?.length ?? 0) > 0 || toolHistory) out.push("tools");
  const rf = req.response_format?.type;
  if (rf === "json_object" || rf === "json_schema") out.push("json");
  if (req.reasoning_effort != null) out.push("reasoning");
  return out;
}

/** µUSD per 1M tokens → "3" / "0.075" (USD per 1M tokens, for messages). */
function usdPerM(micro: number): string {
  return String(micro / 1_000_000);
}

function evaluate(
  id: string, rank: number, catalog: Catalog, need: { caps: Capability[]; promptTokens: number; requestedOutput: number | null; defaultOutput: number },
  opts: Pick<AutoOptions, "maxPrice" | "available">,
): Candidate {
  const out = (excluded: Exclusion | null, detail: string | null): Candidate => ({ id, rank, excluded, detail });
  const m = catalog.models.get(id);
  if (!m) return out("not_in_catalog", "not in the catalog");
  if (m.kind !== "chat") return out("not_chat", "not a chat model");
  const missing = need.caps.filter((c) => !m.capabilities.includes(c));
  if (missing.length) return out("missing_capability", `lacks ${missing.join("+")}`);
  if (need.requestedOutput !== null && m.maxOutputTokens !== null && need.requestedOutput > m.maxOutputTokens) {
    return out("output_too_small", `max output ${m.maxOutputTokens} < ${need.requestedOutput} requested`);
  }
  const output = need.requestedOutput ?? Math.min(need.defaultOutput, m.maxOutputTokens ?? need.defaultOutput);
  if (need.promptTokens + output > m.contextLength) {
    return out("context_too_small", `context ${m.contextLength} < ~${need.promptTokens + output} needed`);
  }
  if (opts.maxPrice && (m.inputPrice > opts.maxPrice.prompt || m.outputPrice > opts.maxPrice.completion)) {
    return out("over_max_price", `price ${usdPerM(m.inputPrice)}/${usdPerM(m.outputPrice)} over max_price`);
  }
  if (opts.available && !opts.available(m)) return out("unavailable", `no configured provider (${channelProviders(m).join(", ")})`);
  return out(null, null);
}

function ascii(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, "?");
  return clean.length > REASON_MAX ? `${clean.slice(0, REASON_MAX - 3)}...` : clean;
}

function skippedText(skipped: Candidate[]): string {
  const shown = skipped.slice(0, 4).map((c) => `${c.id} (${c.detail})`);
  if (skipped.length > 4) shown.push(`+${skipped.length - 4} more`);
  return shown.join(", ");
}

/**
 * Chooses a catalog model for a chat request sent with model "auto".
 *
 * 1. classifyChatRequest gives the task (vision, tools, long_context, code, math_reasoning, chat).
 * 2. The task's preference list is filtered, in this order: present in the catalog; kind chat; has
 *    every capability the request needs (requiredCapabilities); max output ≥ the requested
 *    max_tokens; context ≥ estimated prompt + output (requested, else min(default, model max));
 *    input and output prices ≤ opts.maxPrice; opts.available(model).
 *    With opts.stats, the list is first put in score order (src/routing/measured.ts), the order
 *    GET /models/recommendations shows.
 * 3. The first survivor wins. If none survives the result is `ok: false` with every candidate's
 *    verdict; autoPickError turns that into the error to send.
 * Pure and deterministic: same request, catalog and options → same answer.
 */
export function pickAutoModel(req: RoutableRequest, catalog: Catalog, opts: AutoOptions = {}): AutoResult {
  const cls = classifyChatRequest(req, { longContextTokens: opts.longContextTokens });
  const required = requiredCapabilities(req);
  const need = {
    caps: required,
    promptTokens: cls.promptTokens,
    requestedOutput: req.max_completion_tokens ?? req.max_tokens ?? null,
    defaultOutput: opts.defaultOutputTokens ?? DEFAULT_OUTPUT_TOKENS,
  };
  const measured = !!opts.stats && measuredEnough(PREFERENCES[cls.task], opts.stats);
  const list = rankedIds(PREFERENCES[cls.task], catalog, opts.stats);
  const candidates = list.map((id, i) => evaluate(id, i + 1, catalog, need, opts));
  const winner = candidates.find((c) => c.excluded === null);
  const why = cls.signals.length ? ` (${cls.signals.join(", ")})` : "";
  const base = { task: cls.task, signals: cls.signals, promptTokens: cls.promptTokens, required, candidates };
  const priced = opts.maxPrice ? ` within max_price ${usdPerM(opts.maxPrice.prompt)}/${usdPerM(opts.maxPrice.completion)}` : "";

  if (!winner) {
    return { ...base, ok: false, reason: ascii(`task=${cls.task}${why}; no model in the ${cls.task} list fits${priced}: ${skippedText(candidates)}`) };
  }
  const skipped = candidates.slice(0, winner.rank - 1);
  const first = skipped.length === 0 ? "first model" : `first usable model (#${winner.rank})`;
  const order = measured ? `measured ranking of the ${cls.task} list` : `${cls.task} list`;
  const reason = `task=${cls.task}${why}; ${winner.id} is the ${first} in the ${order}${priced}`
    + (skipped.length ? `; skipped ${skippedText(skipped)}` : "");
  return { ...base, ok: true, model: catalog.models.get(winner.id)!, reason: ascii(reason) };
}

/** Response headers that explain an automatic choice (values are ASCII). */
export function autoHeaders(result: AutoPicked): Record<string, string> {
  return { "x-gateway-auto-model": result.model.id, "x-gateway-auto-reason": result.reason };
}

/**
 * The error for "nothing fits": 503 when some model would fit but its provider is not
 * configured (the gateway's problem), else 400 (the request's constraints exclude every model).
 */
export function autoPickError(result: AutoNoneFits): ApiError {
  if (result.candidates.some((c) => c.excluded === "unavailable")) {
    return new ApiError(503, "provider_not_configured", `No configured provider can serve model 'auto' for this request: ${result.reason}`, { param: "model" });
  }
  return new ApiError(400, "no_model_fits", `No model fits this request for model 'auto': ${result.reason}`, { param: "model", type: "invalid_request_error" });
}
