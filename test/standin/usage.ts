// Rewrites (or removes) token usage in recorded bodies and stream events, per wire format.
import { isObject, type FixtureApi } from "./fixtures.js";
import type { UsageMode } from "./scenarios.js";

type Obj = Record<string, unknown>;

/** OpenAI-style last chunk that carries only usage (`choices: []`). */
export function isUsageOnlyChunk(obj: unknown): boolean {
  return isObject(obj) && Array.isArray(obj.choices) && obj.choices.length === 0 && isObject(obj.usage);
}

/**
 * Applies `mode` to one JSON object (a non-stream body or one stream event).
 * Returns null when the whole event should be dropped.
 */
export function applyUsage(api: FixtureApi, obj: Obj, mode: UsageMode): Obj | null {
  const o = structuredClone(obj);
  switch (api) {
    case "cohere":
      return o; // Cohere fixtures are replayed as recorded
    case "chat": {
      if (!isObject(o.usage)) return o;
      if (mode === "none") {
        if (isUsageOnlyChunk(o)) return null;
        delete o.usage;
        return o;
      }
      o.usage = {
        ...o.usage,
        prompt_tokens: mode.prompt,
        completion_tokens: mode.completion,
        total_tokens: mode.total ?? mode.prompt + mode.completion,
      };
      return o;
    }
    case "anthropic": {
      const holder = o.type === "message_start" && isObject(o.message) ? o.message : o;
      if (!isObject(holder.usage)) return o;
      if (mode === "none") delete holder.usage;
      else holder.usage = { ...holder.usage, input_tokens: mode.prompt, output_tokens: mode.completion };
      return o;
    }
    case "gemini": {
      if (!isObject(o.usageMetadata)) return o;
      if (mode === "none") {
        delete o.usageMetadata;
        return o;
      }
      const u: Obj = { ...o.usageMetadata };
      delete u.thoughtsTokenCount;
      u.promptTokenCount = mode.prompt;
      u.candidatesTokenCount = mode.completion;
      u.totalTokenCount = mode.total ?? mode.prompt + mode.completion;
      o.usageMetadata = u;
      return o;
    }
    case "responses": {
      const holder = isObject(o.response) ? o.response : o;
      if (!isObject(holder.usage)) return o;
      if (mode === "none") delete holder.usage;
      else
        holder.usage = {
          ...holder.usage,
          input_tokens: mode.prompt,
          output_tokens: mode.completion,
          total_tokens: mode.total ?? mode.prompt + mode.completion,
        };
      return o;
    }
  }
}

/** Applies `mode` to every stream line; dropped events disappear. */
export function applyUsageToLines(api: FixtureApi, lines: string[], mode: UsageMode): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const obj = JSON.parse(line) as unknown;
    if (!isObject(obj)) {
      out.push(line);
      continue;
    }
    const next = applyUsage(api, obj, mode);
    if (!next) continue;
    const text = JSON.stringify(next);
    // Keep the recorded bytes of events that did not change.
    out.push(text === JSON.stringify(obj) ? line : text);
  }
  return out;
}
