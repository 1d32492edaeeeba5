import type { TaskType } from "./classify";

/**
 * Preference table: for each task, catalog model ids best first, each with the reason it is there.
 * Only ids present (and enabled) in the catalog are considered, so an operator removes a model
 * from auto routing by disabling its catalog row; the table itself changes with a deploy.
 * Gemini 2.5 Pro is deliberately absent from long_context: its catalog price is Google's
 * ≤200k-token tier, and longer prompts are billed higher upstream.
 */
const TABLE: Readonly<Record<TaskType, ReadonlyArray<readonly [id: string, note: string]>>> = {
  code: [
    ["claude-sonnet-5-5", "Anthropic's coding and agent model"],
    ["gpt-4.1", "strong at code edits and instruction following"],
    ["deepseek-chat", "good code at a low price"],
    ["kimi-k2", "agentic coding, open weights"],
    ["gemini-2.5-pro", "thinking model, strong at code"],
    ["claude-haiku-4-5-20251001", "fast, cheaper Claude"],
    ["gpt-4.1-mini", "low-cost general model"],
    ["gemini-2.5-flash", "low-cost thinking model"],
    ["mistral-small-latest", "low-cost fallback"],
    ["gpt-4.1-nano", "cheapest fallback"],
  ],
  math_reasoning: [
    ["o4-mini", "OpenAI reasoning model"],
    ["deepseek-reasoner", "reasoning model at a low price"],
    ["gemini-2.5-pro", "thinking model"],
    ["gemini-2.5-flash", "low-cost thinking model"],
    ["grok-3-mini", "low-cost reasoning model"],
    ["claude-sonnet-5-5", "extended thinking"],
    ["claude-haiku-4-5-20251001", "extended thinking, cheaper"],
    ["gemini-2.5-flash-lite", "cheapest thinking-capable model"],
  ],
  long_context: [
    ["gemini-2.5-flash", "1M-token context at a flat price"],
    ["gpt-4.1", "1M-token context"],
    ["gpt-4.1-mini", "1M-token context, cheaper"],
    ["gemini-2.5-flash-lite", "1M-token context, cheapest"],
    ["gpt-4.1-nano", "1M-token context, low cost"],
    ["kimi-k2", "256k-token context"],
    ["claude-sonnet-5-5", "1M-token context"],
    ["o4-mini", "200k-token context, reasoning"],
    ["claude-haiku-4-5-20251001", "200k-token context, cheaper"],
  ],
  vision: [
    ["gpt-4.1-mini", "image input at a low price"],
    ["gemini-2.5-flash", "image input, low-cost thinking model"],
    ["claude-sonnet-5-5", "strong image understanding"],
    ["gpt-4.1", "image input, strong general model"],
    ["gpt-4o", "image input"],
    ["claude-haiku-4-5-20251001", "image input, cheaper Claude"],
    ["gemini-2.5-flash-lite", "image input, cheapest"],
    ["mistral-small-latest", "image input, low cost"],
    ["gpt-4o-mini", "image input, low cost"],
    ["gpt-4.1-nano", "image input, cheapest OpenAI"],
  ],
  tools: [
    ["gpt-4.1-mini", "reliable function calling at a low price"],
    ["claude-haiku-4-5-20251001", "fast tool use"],
    ["gpt-4.1", "reliable function calling"],
    ["claude-sonnet-5-5", "strong multi-step tool use"],
    ["gemini-2.5-flash", "function calling, low cost"],
    ["deepseek-chat", "function calling at a low price"],
    ["kimi-k2", "built for agentic tool use"],
    ["mistral-small-latest", "function calling, low cost"],
    ["gpt-4o-mini", "function calling, low cost"],
    ["llama-3.3-70b-versatile", "open-weights fallback"],
  ],
  chat: [
    ["gpt-4.1-mini", "good general quality for the price"],
    ["deepseek-chat", "good quality at a low price"],
    ["gemini-2.5-flash", "low-cost thinking model"],
    ["claude-haiku-4-5-20251001", "fast Claude"],
    ["gpt-4o-mini", "low cost"],
    ["gemini-2.5-flash-lite", "very low cost"],
    ["mistral-small-latest", "low cost"],
    ["llama-3.3-70b-versatile", "open weights, fast"],
    ["gpt-4.1-nano", "cheapest OpenAI"],
    ["grok-3-mini", "low cost"],
  ],
};

/** The preference lists (ids only), best first. */
const ids = (task: TaskType): readonly string[] => TABLE[task].map(([id]) => id);
export const PREFERENCES: Readonly<Record<TaskType, readonly string[]>> = {
  code: ids("code"), math_reasoning: ids("math_reasoning"), long_context: ids("long_context"),
  vision: ids("vision"), tools: ids("tools"), chat: ids("chat"),
};

/** Why a model is on a task's list (for the recommendations endpoint). */
export function preferenceNote(task: TaskType, id: string): string | null {
  return TABLE[task].find(([m]) => m === id)?.[1] ?? null;
}
