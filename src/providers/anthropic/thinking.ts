import type { TranslatableChatRequest as ChatCompletionRequest } from "../chat-policy";
import type { TransformContext } from "../transform";
import type { AnthropicRequest } from "./types";
import { unsupported } from "./shared";

type Effort = NonNullable<ChatCompletionRequest["reasoning_effort"]>;

/** Default `max_tokens` (required by Anthropic) when neither the caller nor the gateway set one. */
export const DEFAULT_MAX_TOKENS = 8192;
/** The original Claude 3 models (Opus, Sonnet, Haiku) cap output at 4096 tokens. */
export const CLAUDE_3_MAX_TOKENS = 4096;
/** Anthropic's minimum `budget_tokens`. */
export const MIN_THINKING_BUDGET = 1024;

/**
 * reasoning_effort → thinking budget (budget-mode models), and the room added to the default
 * `max_tokens` for thinking when the caller set no limit (all models).
 */
export const THINKING_BUDGET: Record<Effort, number> = { minimal: 1024, low: 2048, medium: 8192, high: 16384 };

/**
 * Claude models that take `thinking: {type: "enabled", budget_tokens}`: Claude 3.x and Claude 4,
 * 4.1 and 4.5. Every later model (4.6 and newer: Opus 4.7, Sonnet 5, Opus 5, …) uses adaptive
 * thinking, and the newest reject budget thinking with a 400.
 */
export function usesBudgetThinking(model: string): boolean {
  return /claude-3/.test(model) || /claude-(?:opus|sonnet|haiku)-4(?:-[015])?(?:-\d{8})?(?![-.]?\d)/.test(model);
}

export function defaultMaxTokens(model: string): number {
  return /claude-3-(?:opus|sonnet|haiku)/.test(model) ? CLAUDE_3_MAX_TOKENS : DEFAULT_MAX_TOKENS;
}

/**
 * `max_tokens`, `thinking` and `output_config` for the upstream request.
 *
 * max_tokens = max_completion_tokens ?? max_tokens ?? ctx.outputCap (the smaller of the caller's
 * limit and ctx.outputCap when both are set); with none of them, DEFAULT_MAX_TOKENS (4096 on the
 * original Claude 3 models), plus THINKING_BUDGET[effort] when reasoning_effort is set.
 *
 * reasoning_effort (absent/null → no `thinking` field):
 * - budget-mode models: `thinking: {type: "enabled", budget_tokens}` with budget =
 *   min(THINKING_BUDGET[effort], max_tokens − 1), since Anthropic needs budget < max_tokens;
 *   a budget below 1024 (i.e. max_tokens ≤ 1024) is a 400.
 * - adaptive models: `thinking: {type: "adaptive"}` + `output_config: {effort}`, with minimal → low.
 * Like OpenAI's max_completion_tokens, Anthropic's max_tokens includes thinking tokens.
 */
export function planOutput(req: ChatCompletionRequest, ctx: TransformContext): Pick<AnthropicRequest, "max_tokens" | "thinking" | "output_config"> {
  const requested = req.max_completion_tokens ?? req.max_tokens ?? null;
  const limit = requested !== null && ctx.outputCap !== null ? Math.min(requested, ctx.outputCap) : requested ?? ctx.outputCap;
  const effort = req.reasoning_effort ?? null;
  const model = ctx.upstreamModel;
  if (effort === null) return { max_tokens: limit ?? defaultMaxTokens(model) };

  const maxTokens = limit ?? defaultMaxTokens(model) + THINKING_BUDGET[effort];
  if (!usesBudgetThinking(model)) {
    return { max_tokens: maxTokens, thinking: { type: "adaptive" }, output_config: { effort: effort === "minimal" ? "low" : effort } };
  }
  const budget = Math.min(THINKING_BUDGET[effort], maxTokens - 1);
  if (budget < MIN_THINKING_BUDGET) {
    const param = requested === null ? "reasoning_effort" : req.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens";
    throw unsupported(param, `reasoning_effort needs an output limit above ${MIN_THINKING_BUDGET} tokens on this model (Anthropic's minimum thinking budget is ${MIN_THINKING_BUDGET} and must be below max_tokens); the limit is ${maxTokens}.`);
  }
  return { max_tokens: maxTokens, thinking: { type: "enabled", budget_tokens: budget } };
}
