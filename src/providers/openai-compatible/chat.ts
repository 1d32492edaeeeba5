import type { ChatCompletionRequest } from "../../wire/chat";
import type { ProviderQuirks } from "../types";

/**
 * The upstream body for an OpenAI-compatible provider: the caller's request with the provider's
 * model name, usage always requested on streams (stripped again before the client sees it if it
 * did not ask), and exactly one output limit — the one the reservation was made for (the
 * caller's max_completion_tokens ?? max_tokens, or the gateway's cap) — in the provider's field.
 */
export function toUpstreamChat(req: ChatCompletionRequest, upstreamModel: string, quirks: ProviderQuirks, outputCap: number | null): Record<string, unknown> {
  const { models: _models, provider: _provider, max_tokens: _max, max_completion_tokens: _maxCompletion, ...rest } = req;
  const body: Record<string, unknown> = { ...rest, model: upstreamModel };
  if (req.stream) body.stream_options = { ...(req.stream_options ?? {}), include_usage: true };
  else delete body.stream_options;
  const limit = outputCap ?? requestedMaxOutput(req);
  if (limit !== null) body[quirks.maxTokensField] = limit;
  return body;
}

/** Characters of output in a non-streamed completion, for the missing-usage rule. */
export function completionChars(body: { choices?: Array<{ message?: Record<string, unknown> }> }): number {
  let n = 0;
  for (const c of body.choices ?? []) {
    const m = c.message ?? {};
    for (const k of ["content", "reasoning_content", "reasoning", "refusal"]) if (typeof m[k] === "string") n += (m[k] as string).length;
    if (Array.isArray(m.tool_calls)) n += JSON.stringify(m.tool_calls).length;
  }
  return n;
}

export function requestedMaxOutput(req: ChatCompletionRequest): number | null {
  return req.max_completion_tokens ?? req.max_tokens ?? null;
}
