import type { ChatCompletionRequest as ChatInput } from "../../wire/chat";
import { forTranslation, type TranslatableChatRequest as ChatCompletionRequest } from "../chat-policy";
import type { TransformContext, UpstreamRequest } from "../transform";
import type { AnthropicRequest } from "./types";
import { convertMessages } from "./messages";
import { ANTHROPIC_VERSION, unsupported } from "./shared";
import { planOutput } from "./thinking";
import { buildTools } from "./tools";

/**
 * Parameters Anthropic cannot honour → 400: logprobs true, top_logprobs > 0, n > 1, a non-zero
 * presence/frequency penalty, a non-empty logit_bias. Their neutral values (false, 0, 1, {})
 * are dropped silently.
 */
function rejectUnsupported(req: ChatCompletionRequest): void {
  if (req.logprobs) throw unsupported("logprobs", "logprobs are not supported by Anthropic models.");
  if (req.top_logprobs) throw unsupported("top_logprobs", "top_logprobs are not supported by Anthropic models.");
  if (req.n != null && req.n !== 1) throw unsupported("n", "Anthropic models return one choice per request; n must be 1.");
  if (req.presence_penalty) throw unsupported("presence_penalty", "presence_penalty is not supported by Anthropic models.");
  if (req.frequency_penalty) throw unsupported("frequency_penalty", "frequency_penalty is not supported by Anthropic models.");
  if (req.logit_bias && Object.keys(req.logit_bias).length > 0) throw unsupported("logit_bias", "logit_bias is not supported by Anthropic models.");
}

/**
 * temperature / top_p. Anthropic's temperature range is 0–1, so temperature > 1 is a 400 (no
 * clamp: it would silently change the sampling the caller asked for). With thinking on,
 * Anthropic rejects a modified temperature and allows top_p only in 0.95–1: temperature 1 is
 * then dropped (it is the default), any other temperature or top_p < 0.95 is a 400.
 */
function sampling(req: ChatCompletionRequest, thinking: boolean): Pick<AnthropicRequest, "temperature" | "top_p"> {
  const out: Pick<AnthropicRequest, "temperature" | "top_p"> = {};
  const t = req.temperature;
  if (t != null) {
    if (t > 1) throw unsupported("temperature", "Anthropic models accept temperature from 0 to 1.");
    if (thinking && t !== 1) throw unsupported("temperature", "temperature cannot be changed while reasoning (reasoning_effort) on Anthropic models; omit it or use 1.");
    if (!thinking) out.temperature = t;
  }
  if (req.top_p != null) {
    if (thinking && req.top_p < 0.95) throw unsupported("top_p", "While reasoning (reasoning_effort), Anthropic models accept top_p only from 0.95 to 1.");
    out.top_p = req.top_p;
  }
  return out;
}

/** stop (string or list) → stop_sequences; Anthropic rejects empty and whitespace-only sequences → 400. */
function stopSequences(stop: ChatCompletionRequest["stop"]): string[] | undefined {
  if (stop == null) return undefined;
  const list = typeof stop === "string" ? [stop] : stop;
  if (list.some((s) => s.trim() === "")) throw unsupported("stop", "Anthropic models do not accept empty or whitespace-only stop sequences.");
  return list.length ? list : undefined;
}

/**
 * OpenAI Chat Completions request → POST /messages (relative to https://api.anthropic.com/v1)
 * with `anthropic-version`; the gateway adds the x-api-key header itself.
 *
 * Mapping (details on each helper): messages/system → convertMessages; tools, tool_choice,
 * parallel_tool_calls, response_format → buildTools; max_tokens, max_completion_tokens,
 * reasoning_effort → planOutput; temperature/top_p → sampling; stop → stop_sequences;
 * stream → stream: true (Anthropic streams always carry usage, so stream_options is dropped).
 * Dropped harmlessly: seed, modalities (text only), n = 1, message `name` fields, image `detail`.
 * Hints (user, metadata, store, service_tier, verbosity, prompt_cache_key, …, unknown fields) are
 * dropped and named in `dropped` (src/providers/chat-policy.ts). (`user` is not forwarded as
 * metadata.user_id because Anthropic asks that it carry no identifying data, which OpenAI callers
 * do not guarantee.)
 */
export function buildRequest(input: ChatInput, ctx: TransformContext): UpstreamRequest {
  const { req, dropped } = forTranslation(input);
  rejectUnsupported(req);
  const plan = planOutput(req, ctx);
  const thinking = plan.thinking !== undefined;
  const { system, messages } = convertMessages(req.messages);
  const body: AnthropicRequest = { model: ctx.upstreamModel, max_tokens: plan.max_tokens, messages };
  if (system.length) body.system = system;
  Object.assign(body, sampling(req, thinking));
  const stop = stopSequences(req.stop);
  if (stop) body.stop_sequences = stop;
  Object.assign(body, buildTools(req, thinking));
  if (plan.thinking) body.thinking = plan.thinking;
  if (plan.output_config) body.output_config = plan.output_config;
  if (req.stream) body.stream = true;
  return { path: "/messages", headers: { "anthropic-version": ANTHROPIC_VERSION }, body, dropped };
}
