import { countCompletionTokens, decideUsage } from "../billing/usage";
import { chargeFor } from "../billing/charge";
import type { UsageSource } from "../account/types";
import type { OpenAIChatChunk, StreamTranslator } from "../providers/transform";
import type { TokenUsage } from "../providers/types";
import type { Admission } from "./meter";
import { SseParser, type SseEvent } from "./sse";

const encoder = new TextEncoder();

/** Characters of output in a chunk (text, reasoning, tool names and arguments). */
export function deltaChars(chunk: OpenAIChatChunk): number {
  let n = 0;
  for (const choice of Array.isArray(chunk.choices) ? chunk.choices : []) {
    const d = choice?.delta as Record<string, unknown> | undefined;
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

export interface Settled { usage: TokenUsage; source: UsageSource; cost: number }

/** What a sink may ask the relay while writing. */
export interface RelayContext {
  /** The provider's usage so far as it will be billed (figures, source, cost), or null if none usable was reported. */
  usage(): Settled | null;
}

/**
 * How a relay writes what it reads: OpenAI chunks (chat-stream.ts), Anthropic events
 * (messages-stream.ts) or the provider's own events passed through (passthrough for Claude).
 * Each method returns the text to send; the relay sends it at once.
 */
export interface StreamSink {
  /** One upstream event, and the OpenAI chunks the translator made of it. */
  event(event: SseEvent, chunks: OpenAIChatChunk[], r: RelayContext): string;
  /** The stream completed and was settled. */
  end(settled: Settled, r: RelayContext): string;
  /** The stream failed (upstream error, early end, idle timeout) and was settled for what was generated. */
  error(message: string): string;
}

export interface RelayOptions {
  admission: Admission;
  translator: StreamTranslator;
  sink: StreamSink;
  promptEstimate: number;
  /** Milliseconds without any upstream bytes before the stream is ended as failed. */
  idleTimeoutMs: number;
}

/**
 * Relays a provider's SSE stream without buffering: each event is handled as soon as it is
 * complete and its output sent at once. Counts the output it sees and settles exactly once: at
 * the end with the provider's usage, on an upstream failure, or when the client goes away —
 * for what was generated (the usage rule in billing/usage.ts).
 */
export function relayStream(upstream: ReadableStream<Uint8Array>, o: RelayOptions): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const { admission: a, translator: t, sink } = o;
  let chars = 0;
  let chunks = 0;
  let done = false;

  const bounds = (counted: number) => ({
    promptEstimate: o.promptEstimate,
    countedCompletion: counted,
    maxPrompt: Math.max(a.served.model.contextLength, o.promptEstimate),
    maxCompletion: a.outputAllowance,
  });
  const r: RelayContext = {
    usage: () => {
      const reported = t.usage();
      if (!reported) return null;
      const { usage, source } = decideUsage(reported, bounds(0));
      // What will be charged (issue 12 item 5): the cost, capped at the request's max charge.
      return { usage, source, cost: chargeFor(a.cost(usage), a.maxChargeNano) };
    },
  };

  const settle = (status: "success" | "client_disconnected" | "stream_error", errorCode: string | null): Settled => {
    const counted = countCompletionTokens(chars, chunks);
    if (status === "stream_error" && chars === 0 && chunks === 0) {
      // The provider failed before producing any output: like a failure before the first byte, free.
      const usage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
      return { usage, source: "estimated", cost: a.settle({ status, httpStatus: 200, errorCode, usage, usageSource: "estimated" }) };
    }
    let reported = t.usage();
    // An unfinished stream has only provisional usage (Anthropic's message_start says 1 output
    // token; Gemini's running figures lag): never bill less output than was relayed.
    const provisional = status !== "success" && reported !== null && reported.completionTokens < counted;
    if (provisional) reported = { ...reported!, completionTokens: counted };
    const decided = decideUsage(reported, bounds(counted));
    const usage = decided.usage;
    const source = provisional && decided.source === "upstream" ? "estimated" : decided.source;
    return { usage, source, cost: a.settle({ status, httpStatus: 200, errorCode, usage, usageSource: source }) };
  };

  const failed = (message: string) => {
    done = true;
    settle("stream_error", "upstream_stream_error");
    return sink.error(message);
  };

  const handle = (event: SseEvent): string => {
    let data: unknown = event.data;
    if (event.data !== "[DONE]") {
      try { data = JSON.parse(event.data); } catch { return ""; }
    }
    let text: string;
    try {
      const made = t.push({ event: event.event, data });
      for (const chunk of made) {
        const c = deltaChars(chunk);
        if (c > 0) { chars += c; chunks++; }
      }
      text = sink.event(event, made, r);
    } catch {
      // An event the translator or sink cannot handle ends the stream cleanly, settled.
      return failed("The provider sent a malformed stream event; you are charged only for what was generated.");
    }
    if (t.error?.()) return text + failed("The provider reported an error mid-stream; you are charged only for what was generated.");
    return text;
  };

  const finish = (): string => {
    let out = "";
    for (const e of parser.end()) if (!done) out += handle(e);
    if (done) return out;
    const last = t.end();
    if (last.length) out += sink.event({ event: null, data: "" }, last, r);
    if (!t.finished()) return out + failed("The provider's stream ended early; you are charged only for what was generated.");
    done = true;
    return out + sink.end(settle("success", null), r);
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (!done) {
        let result: ReadableStreamReadResult<Uint8Array>;
        let idle: ReturnType<typeof setTimeout> | null = null;
        try {
          result = await Promise.race([
            reader.read(),
            new Promise<never>((_, reject) => { idle = setTimeout(() => reject(new Error("idle")), o.idleTimeoutMs); }),
          ]);
        } catch {
          clearTimeout(idle);
          void reader.cancel().catch(() => undefined);
          controller.enqueue(encoder.encode(failed("The provider's stream failed mid-way; you are charged only for what was generated.")));
          controller.close();
          return;
        }
        clearTimeout(idle);
        a.keepAlive();
        let out = "";
        if (result.done) {
          out = finish();
        } else {
          for (const e of parser.push(decoder.decode(result.value, { stream: true }))) {
            out += handle(e);
            if (done) break;
          }
        }
        if (out) controller.enqueue(encoder.encode(out));
        if (done) {
          if (!result.done) void reader.cancel().catch(() => undefined);
          controller.close();
          return;
        }
        if (out) return;
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
