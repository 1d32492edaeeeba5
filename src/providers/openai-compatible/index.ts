import { ApiError } from "../../errors";
import type { ChatTransform, OpenAIChatCompletion } from "../transform";
import type { ProviderError, ProviderQuirks } from "../types";
import { toUpstreamChat } from "./chat";
import { openAIStreamTranslator } from "./stream";
import { readOpenAIUsage } from "./usage";

/** OpenAI, DeepSeek, Moonshot, Mistral, Groq, xAI, Together, OpenRouter…: the same wire, small quirks. */
export function openAICompatibleChat(quirks: ProviderQuirks): ChatTransform {
  return {
    request: (req, ctx) => ({ path: "/chat/completions", headers: {}, body: toUpstreamChat(req, ctx.upstreamModel, quirks, ctx.outputCap) }),
    response: (body) => {
      const completion = body as OpenAIChatCompletion;
      const ok = completion !== null && typeof completion === "object" && Array.isArray(completion.choices)
        && completion.choices.every((c) => c !== null && typeof c === "object" && (c.message === undefined || (c.message !== null && typeof c.message === "object")));
      if (!ok) throw new ApiError(502, "upstream_bad_response", "The provider sent an answer that is not a chat completion. Nothing was charged.");
      return { completion, usage: readOpenAIUsage(completion.usage, quirks) };
    },
    stream: () => openAIStreamTranslator(quirks),
  };
}

/** OpenAI's error shape {error:{message,type,code,param}} (also used by most compatible providers). */
export function openAIErrorMessage(body: unknown): ProviderError | null {
  if (!body || typeof body !== "object") return null;
  const j = body as { error?: unknown; message?: unknown };
  const e = j.error && typeof j.error === "object" ? (j.error as Record<string, unknown>) : null;
  const message = e?.message ?? (typeof j.error === "string" ? j.error : j.message);
  if (typeof message !== "string") return null;
  return {
    message,
    type: typeof e?.type === "string" ? e.type : "invalid_request_error",
    code: typeof e?.code === "string" ? e.code : null,
    param: typeof e?.param === "string" ? e.param : null,
  };
}
