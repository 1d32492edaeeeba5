import { countCompletionTokens, decideUsage } from "../billing/usage";
import { usdJsonNumber } from "../billing/money";
import type { OpenAIChatChunk, StreamTranslator } from "../providers/transform";
import type { TokenUsage } from "../providers/types";
import type { Admission } from "./meter";
import { SseParser, sseData } from "./sse";

type Chunk = OpenAIChatChunk & {
  /** Groq repeats usage here; it is stripped with `usage` when the client did not ask for it. */
  x_groq?: { usage?: unknown } | null;
};

const encoder = new TextEncoder();

function deltaChars(chunk: Chunk): number {
  let n = 0;
  for (const choice of chunk.choices ?? []) {
    const d = choice.delta as Record<string, unknown> | undefined;
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

const errorEvent = (message: string) =>
  sseData(JSON.stringify({ error: { message, type: "api_error", code: "upstream_stream_error", param: null } }));

export interface StreamOptions {
  admission: Admission;
  /** Turns the provider's SSE events into OpenAI chunks and reads usage (identity for OpenAI-compatible providers). */
  translator: StreamTranslator;
  /** The client asked for the usage chunk (stream_options.include_usage). */
  clientWantsUsage: boolean;
  promptEstimate: number;
  /** Milliseconds without any upstream bytes before the stream is ended as failed. */
  idleTimeoutMs: number;
}

/**
 * Relays a provider's SSE stream to the client as OpenAI chunks, event by event, without
 * buffering: each event is forwarded as soon as it is complete. On the way it rewrites the id to
 * the gateway's request id, counts the output it sees, keeps usage only if the client asked for it
 * (adding `cost`, or a usage chunk of its own when the provider sent none usable), and settles
 * exactly once: at the end, on an upstream failure, or when the client goes away — for what was generated.
 */
export function meterChatStream(upstream: ReadableStream<Uint8Array>, o: StreamOptions): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const a = o.admission;
  const t = o.translator;
  let usageSent = false;
  let model = a.served.model.id;
  let chars = 0;
  let chunks = 0;
  let done = false;

  const bounds = (counted: number) => ({
    promptEstimate: o.promptEstimate,
    countedCompletion: counted,
    maxPrompt: Math.max(a.served.model.contextLength, o.promptEstimate),
    maxCompletion: a.outputAllowance,
  });

  const settle = (status: "success" | "client_disconnected" | "stream_error", errorCode: string | null) => {
    const { usage, source } = decideUsage(t.usage(), bounds(countCompletionTokens(chars, chunks)));
    return { usage, source, cost: a.settle({ status, httpStatus: 200, errorCode, usage, usageSource: source }) };
  };

  /** The usage chunk the gateway adds when the provider sent none the client could use. */
  const usageChunk = (usage: TokenUsage, source: string, cost: number) => sseData(JSON.stringify({
    id: a.params.requestId, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model, choices: [],
    usage: {
      prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens,
      cost: usdJsonNumber(cost), ...(source === "estimated" ? { estimated: true } : {}),
    },
  }));

  const relay = (chunk: Chunk, out: string[]) => {
    const c = deltaChars(chunk);
    if (c > 0) { chars += c; chunks++; }
    chunk.id = a.params.requestId;
    if (typeof chunk.model === "string" && chunk.model) model = chunk.model;
    if (chunk.usage) {
      const reported = t.usage();
      if (o.clientWantsUsage && reported) {
        // Usage where the provider put it (a usage-only last chunk, or the finish chunk), with its cost.
        const { usage, source } = decideUsage(reported, bounds(0));
        if (source !== "upstream") {
          chunk.usage = { ...chunk.usage, prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens };
        }
        chunk.usage.cost = usdJsonNumber(a.cost(usage));
        usageSent = true;
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

  const handle = (event: { event: string | null; data: string }, out: string[]) => {
    let data: unknown = event.data;
    if (event.data !== "[DONE]") {
      try { data = JSON.parse(event.data); } catch { return; }
    }
    for (const chunk of t.push({ event: event.event, data })) relay(chunk as Chunk, out);
    const err = t.error?.();
    if (err) {
      done = true;
      settle("stream_error", "upstream_stream_error");
      out.push(errorEvent("The provider reported an error mid-stream; you are charged only for what was generated."));
    }
  };

  const finish = (): string[] => {
    const out: string[] = [];
    for (const e of parser.end()) if (!done) handle(e, out);
    if (done) return out;
    for (const chunk of t.end()) relay(chunk as Chunk, out);
    done = true;
    if (!t.finished()) {
      settle("stream_error", "upstream_stream_incomplete");
      out.push(errorEvent("The provider's stream ended early; you are charged only for what was generated."));
      return out;
    }
    const { usage, source, cost } = settle("success", null);
    if (o.clientWantsUsage && !usageSent) out.push(usageChunk(usage, source, cost));
    out.push(sseData("[DONE]"));
    return out;
  };

  const fail = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    done = true;
    void reader.cancel().catch(() => undefined);
    settle("stream_error", "upstream_stream_error");
    controller.enqueue(encoder.encode(errorEvent("The provider's stream failed mid-way; you are charged only for what was generated.")));
    controller.close();
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
          return fail(controller);
        }
        clearTimeout(idle);
        const out: string[] = [];
        if (result.done) {
          out.push(...finish());
        } else {
          for (const e of parser.push(decoder.decode(result.value, { stream: true }))) {
            handle(e, out);
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
