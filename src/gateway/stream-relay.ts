import type { RequestStatus } from "../account/types";
import type { OpenAIChatChunk, StreamTranslator } from "../providers/transform";
import type { Admission, Charge, Served, SettleExtra } from "./meter";
import { billUsage, type BilledUsage, type BillingBasis, type Relayed } from "./pipeline/bill";
import { SseParser, type SseEvent } from "./sse";

const encoder = new TextEncoder();

/** Output text in a chunk (text, reasoning, refusals, tool names and arguments). */
export function deltaText(chunk: OpenAIChatChunk): string {
  let out = "";
  for (const choice of Array.isArray(chunk.choices) ? chunk.choices : []) {
    const d = choice?.delta as Record<string, unknown> | undefined;
    if (!d) continue;
    for (const k of ["content", "reasoning_content", "reasoning", "refusal"]) if (typeof d[k] === "string") out += d[k] as string;
    if (Array.isArray(d.tool_calls)) {
      for (const t of d.tool_calls as Array<{ function?: { name?: string; arguments?: string } }>) out += (t.function?.name ?? "") + (t.function?.arguments ?? "");
    }
  }
  return out;
}

/** The usage a stream was billed: figures, source and what was charged. */
export interface Settled extends BilledUsage { cost: number; charge: Charge }

/** What a sink may ask the relay while writing. */
export interface RelayContext {
  /** The provider's usage so far as it would be billed now, or null if none usable was reported. */
  usage(): Settled | null;
  /** True once the provider signalled a complete response: usage reported before that is provisional. */
  final(): boolean;
}

/**
 * How a relay writes what it reads: OpenAI chunks (chat-stream.ts), Anthropic events
 * (messages-stream.ts), or the provider's own events passed through. Each method returns the
 * text to send; the relay sends it at once.
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
  served: Served;
  basis: BillingBasis;
  translator: StreamTranslator;
  sink: StreamSink;
  /** Milliseconds without any upstream bytes before the stream is ended as failed. */
  idleTimeoutMs: number;
  /** Fields for the settlement (see SettleExtra), given the usage being billed. */
  settleExtra?: (billed: BilledUsage) => SettleExtra;
  /** Runs once the stream was settled. */
  afterSettle?: (settled: Settled) => void;
}

/** Where a relay is: reading events, or ended one of three ways (each settles exactly once). */
export type RelayState = "streaming" | "completed" | "failed" | "abandoned";

const MESSAGES = {
  malformed: "The provider sent a malformed stream event; you are charged only for what was generated.",
  upstreamError: "The provider reported an error mid-stream; you are charged only for what was generated.",
  early: "The provider's stream ended early; you are charged only for what was generated.",
  unreadable: "The provider's stream held no readable event. Nothing was charged.",
  broken: "The provider's stream failed mid-way; you are charged only for what was generated.",
} as const;

/**
 * One metered stream: parses SSE, translates, counts what it relayed and settles once — at the
 * end with the provider's usage, on an upstream failure, or when the client goes away — for what
 * was generated (gateway/pipeline/bill.ts). A stream that failed before any output is free.
 */
class Relay {
  state: RelayState = "streaming";
  private readonly relayed: Relayed = { text: "", chunks: 0, streamed: true };
  /** Events whose JSON parsed (a stream of only unreadable events is not a success). */
  private readable = 0;
  private readonly parser = new SseParser();
  readonly context: RelayContext;

  constructor(private readonly o: RelayOptions) {
    this.context = {
      usage: () => {
        const reported = o.translator.usage();
        return reported ? this.priced(billUsage(reported, o.basis, o.served, this.relayed)) : null;
      },
      final: () => o.translator.finished(),
    };
  }

  private priced(b: BilledUsage): Settled {
    const charge = this.o.admission.preview(b.usage, this.o.served);
    return { ...b, cost: charge.chargedNano, charge };
  }

  private settle(status: Exclude<RequestStatus, "upstream_error" | "expired">, errorCode: string | null): Settled {
    const { admission, served, basis, translator } = this.o;
    const nothing = this.relayed.chunks === 0 && this.relayed.text === "";
    const billed: BilledUsage = status === "stream_error" && nothing
      // The provider failed before producing any output: like a failure before the first byte, free.
      ? { usage: { promptTokens: 0, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, source: "estimated" }
      : billUsage(translator.usage(), basis, served, this.relayed, status === "success");
    const charge = admission.settle({ status, httpStatus: 200, errorCode, usage: billed.usage, usageSource: billed.source }, served, this.o.settleExtra?.(billed));
    const settled = { ...billed, cost: charge.chargedNano, charge };
    this.o.afterSettle?.(settled);
    return settled;
  }

  fail(message: string): string {
    this.state = "failed";
    this.settle("stream_error", "upstream_stream_error");
    return this.o.sink.error(message);
  }

  abandon(): void {
    if (this.state !== "streaming") return;
    this.state = "abandoned";
    this.settle("client_disconnected", "client_disconnected");
  }

  private handle(event: SseEvent): string {
    const { translator: t, sink } = this.o;
    let data: unknown = event.data;
    if (event.data !== "[DONE]") {
      try { data = JSON.parse(event.data); } catch { return ""; }
      this.readable++;
    }
    let text: string;
    try {
      const made = t.push({ event: event.event, data });
      for (const chunk of made) {
        const out = deltaText(chunk);
        if (!out) continue;
        this.relayed.text += out;
        this.relayed.chunks++;
      }
      text = sink.event(event, made, this.context);
    } catch {
      // An event the translator or sink cannot handle ends the stream cleanly, settled.
      return this.fail(MESSAGES.malformed);
    }
    if (t.error?.()) return text + this.fail(MESSAGES.upstreamError);
    return text;
  }

  /** Text to send for a piece of upstream bytes. */
  push(text: string): string {
    let out = "";
    for (const e of this.parser.push(text)) {
      out += this.handle(e);
      if (this.state !== "streaming") break;
    }
    return out;
  }

  /** The upstream ended: completes (and settles) or fails. */
  finish(): string {
    const { translator: t, sink } = this.o;
    let out = "";
    for (const e of this.parser.end()) if (this.state === "streaming") out += this.handle(e);
    if (this.state !== "streaming") return out;
    if (this.readable === 0) return out + this.fail(MESSAGES.unreadable);
    const last = t.end();
    if (last.length) out += sink.event({ event: null, data: "" }, last, this.context);
    if (!t.finished()) return out + this.fail(MESSAGES.early);
    this.state = "completed";
    return out + sink.end(this.settle("success", null), this.context);
  }

  broken(): string {
    return this.fail(MESSAGES.broken);
  }
}

/** Reads one chunk of the upstream, or rejects after the idle timeout. */
async function readWithin(reader: ReadableStreamDefaultReader<Uint8Array>, ms: number): Promise<ReadableStreamReadResult<Uint8Array>> {
  let idle: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      reader.read(),
      new Promise<never>((_, reject) => { idle = setTimeout(() => reject(new Error("idle")), ms); }),
    ]);
  } finally {
    clearTimeout(idle);
  }
}

/** Relays a provider's SSE stream without buffering: each event is sent as soon as it is complete. */
export function relayStream(upstream: ReadableStream<Uint8Array>, o: RelayOptions): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  const decoder = new TextDecoder();
  const relay = new Relay(o);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (relay.state === "streaming") {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await readWithin(reader, o.idleTimeoutMs);
        } catch {
          void reader.cancel().catch(() => undefined);
          controller.enqueue(encoder.encode(relay.broken()));
          controller.close();
          return;
        }
        o.admission.keepAlive();
        const out = result.done ? relay.finish() : relay.push(decoder.decode(result.value, { stream: true }));
        if (out) controller.enqueue(encoder.encode(out));
        if (relay.state !== "streaming") {
          if (!result.done) void reader.cancel().catch(() => undefined);
          controller.close();
          return;
        }
        if (out) return;
      }
    },
    async cancel() {
      relay.abandon();
      await reader.cancel().catch(() => undefined);
    },
  }, { highWaterMark: 0 });
}
