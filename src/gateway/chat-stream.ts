import { countCompletionTokens, decideUsage } from "../billing/usage";
import { usdJsonNumber } from "../billing/money";
import { readOpenAIUsage } from "../providers/openai-compatible/usage";
import type { Admission } from "./meter";
import { SseParser, sseData } from "./sse";

type Chunk = {
  id?: string;
  choices?: Array<{ delta?: Record<string, unknown>; finish_reason?: string | null }>;
  usage?: Record<string, unknown> | null;
  /** Groq repeats usage here; it is stripped with `usage` when the client did not ask for it. */
  x_groq?: { usage?: unknown } | null;
  error?: unknown;
};

const encoder = new TextEncoder();

function deltaChars(chunk: Chunk): number {
  let n = 0;
  for (const choice of chunk.choices ?? []) {
    const d = choice.delta;
    if (!d) continue;
    for (const k of ["content", "reasoning_content", "reasoning", "refusal"]) if (typeof d[k] === "string") n += (d[k] as string).length;
    if (Array.isArray(d.tool_calls)) {
      for (const t of d.tool_calls as Array<{ function?: { name?: string; arguments?: string } }>) {
        n += (t.function?.arguments?.length ?? 0) + (t.function?.name?.length ?? 0);
      }
    }
  }
  return n;
}

export interface StreamOptions {
  admission: Admission;
  /** The client asked for the usage chunk (stream_options.include_usage). */
  clientWantsUsage: boolean;
  promptEstimate: number;
  /** Milliseconds without any upstream bytes before the stream is ended as failed. */
  idleTimeoutMs: number;
}

/**
 * Relays an OpenAI-format SSE stream event by event, without buffering: each event is forwarded
 * as soon as it is complete. On the way it rewrites the id to the gateway's request id, counts the
 * output it sees, takes the usage chunk (stripping it if the client did not ask for it, adding
 * `cost` if it did), and settles exactly once: at the end, on an upstream failure, or when the
 * client goes away, for what was generated.
 */
export function meterChatStream(upstream: ReadableStream<Uint8Array>, o: StreamOptions): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const a = o.admission;
  let reported: ReturnType<typeof readOpenAIUsage> = null;
  let chars = 0;
  let chunks = 0;
  let finished = false;
  let done = false;

  const settle = (status: "success" | "client_disconnected" | "stream_error", errorCode: string | null) => {
    const { usage, source } = decideUsage(reported, {
      promptEstimate: o.promptEstimate,
      countedCompletion: countCompletionTokens(chars, chunks),
      maxPrompt: Math.max(a.params.model.contextLength, o.promptEstimate),
      maxCompletion: a.outputAllowance,
    });
    return { usage, cost: a.settle({ status, httpStatus: 200, errorCode, usage, usageSource: source }) };
  };

  /** The usage chunk the gateway adds when the provider sent none the client could use. */
  const usageChunk = (usage: ReturnType<typeof settle>["usage"], cost: number) => sseData(JSON.stringify({
    id: a.params.requestId, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model: a.params.model.id,
    choices: [], usage: {
      prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens,
      cost: usdJsonNumber(cost), estimated: true,
    },
  }));

  const handle = (data: string, out: string[]) => {
    if (data === "[DONE]") {
      finished = true;
      return;
    }
    let chunk: Chunk;
    try { chunk = JSON.parse(data) as Chunk; } catch { return; }
    if (chunk.error !== undefined) {
      out.push(sseData(JSON.stringify({ error: { message: "The provider reported an error mid-stream.", type: "api_error", code: "upstream_stream_error", param: null } })));
      done = true;
      settle("stream_error", "upstream_stream_error");
      return;
    }
    const c = deltaChars(chunk);
    if (c > 0) { chars += c; chunks++; }
    if (chunk.choices?.some((ch) => ch.finish_reason)) finished = true;
    chunk.id = a.params.requestId;
    if (chunk.usage) {
      reported = readOpenAIUsage(chunk.usage, { maxTokensField: "max_tokens", reasoningExcludedFromCompletion: a.params.model.provider === "xai" });
      if (o.clientWantsUsage && reported) {
        const { usage, source } = decideUsage(reported, { promptEstimate: o.promptEstimate, countedCompletion: 0, maxPrompt: Math.max(a.params.model.contextLength, o.promptEstimate), maxCompletion: a.outputAllowance });
        if (source !== "upstream") {
          // Show the figures that are billed, so the counts and the cost agree.
          chunk.usage.prompt_tokens = usage.promptTokens;
          chunk.usage.completion_tokens = usage.completionTokens;
          chunk.usage.total_tokens = usage.promptTokens + usage.completionTokens;
        }
        chunk.usage.cost = usdJsonNumber(a.cost(usage));
      } else {
        delete chunk.usage;
        if (!chunk.choices?.length) return;
      }
    } else if (chunk.usage === null && !o.clientWantsUsage) {
      delete chunk.usage;
    }
    if (!o.clientWantsUsage && chunk.x_groq?.usage) delete chunk.x_groq.usage;
    out.push(sseData(JSON.stringify(chunk)));
  };

  const finish = (): string[] => {
    const out: string[] = [];
    for (const e of parser.end()) handle(e.data, out);
    if (done) return out;
    done = true;
    if (!finished) {
      settle("stream_error", "upstream_stream_incomplete");
      out.push(sseData(JSON.stringify({ error: { message: "The provider's stream ended early.", type: "api_error", code: "upstream_stream_error", param: null } })));
      return out;
    }
    const hadUsage = reported !== null;
    const { usage, cost } = settle("success", null);
    if (o.clientWantsUsage && !hadUsage) out.push(usageChunk(usage, cost));
    out.push(sseData("[DONE]"));
    return out;
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (!done) {
        let result: ReadableStreamReadResult<Uint8Array>;
        let idle: number | null = null;
        try {
          result = await Promise.race([
            reader.read(),
            new Promise<never>((_, reject) => { idle = setTimeout<[]>(() => reject(new Error("idle")), o.idleTimeoutMs); }),
          ]);
        } catch {
          clearTimeout(idle);
          done = true;
          void reader.cancel().catch(() => undefined);
          settle("stream_error", "upstream_stream_error");
          controller.enqueue(encoder.encode(sseData(JSON.stringify({ error: { message: "The provider's stream failed mid-way; you are charged only for what was generated.", type: "api_error", code: "upstream_stream_error", param: null } }))));
          controller.close();
          return;
        }
        clearTimeout(idle);
        const out: string[] = [];
        if (result.done) {
          out.push(...finish());
        } else {
          for (const e of parser.push(decoder.decode(result.value, { stream: true }))) {
            handle(e.data, out);
            if (done) break;
          }
        }
        if (out.length) controller.enqueue(encoder.encode(out.join("")));
        if (done) {
          if (!result.done) void reader.cancel().catch(() => undefined);
          controller.close();
          return;
        }
        if (out.length) return;
      }
    },
    async cancel() {
      if (done) return;
      done = true;
      settle("client_disconnected", "client_disconnected");
      await reader.cancel().catch(() => undefined);
    },
  }, { highWaterMark: 0 });
}
