// The scenario flow shared by the chat-style routes; adapters supply each provider's shapes.
import { isObject, loadFixture, mustLoad, statusForJson, type Fixture, type FixtureApi } from "./fixtures.js";
import { sendJson, sendReply, splitText, type Ctx, type Reply, type Usage } from "./http.js";
import { ECHO_TEXT, ECHO_USAGE, mirrorUsage, pacedUsage, parseScenario, type ErrorStatus, type UsageMode } from "./scenarios.js";
import { fragments, framingFor, pause, replay, startStream, write } from "./sse.js";
import { applyUsage, applyUsageToLines, isUsageOnlyChunk } from "./usage.js";
import { parseHostile, serveHostile } from "./hostile.js";

export interface StreamEvents {
  /** Sent right after the headers (e.g. Anthropic message_start). */
  head: unknown[];
  /** One event per text piece; the first one waits for the time to first token. */
  deltas: unknown[];
  /** Finish / usage / stop events, sent right after the last delta. */
  tail: unknown[];
}

export interface Adapter {
  /** Wire format of what this route produces natively. */
  api: FixtureApi;
  /** Served when the model is not a scenario name. */
  defaultFixture: string;
  /** An error in the provider's own shape; `message` overrides the canned text. */
  error(status: ErrorStatus, ctx: Ctx, message?: string): Reply;
  /** A complete non-stream response carrying `text`. */
  message(ctx: Ctx, text: string, usage: Usage): unknown;
  /** Stream events for the pieces of text (`ctx.includeUsage` decides OpenAI's usage chunk). */
  events(ctx: Ctx, pieces: string[], usage: Usage): StreamEvents;
}

/** How many requests each `seq:` model has received. */
const sequenceCounts = new Map<string, number>();

/** A provider key containing "revoked" is refused like a revoked key (401), whatever the model: the BYOK tests' revoked customer key. */
function revokedKey(ctx: Ctx): boolean {
  return ctx.apiKey.includes("revoked");
}

export async function handle(a: Adapter, ctx: Ctx): Promise<void> {
  if (revokedKey(ctx)) return sendReply(ctx, a.error(401, ctx));
  const hostile = a.api === "chat" ? parseHostile(ctx.model) : null;
  if (hostile) return serveHostile(ctx, hostile.mode, hostile.n);
  const sc = parseScenario(ctx.model);
  switch (sc.kind) {
    case "sequence": {
      const n = sequenceCounts.get(ctx.model) ?? 0;
      sequenceCounts.set(ctx.model, n + 1);
      const step = sc.steps[Math.min(n, sc.steps.length - 1)]!;
      return handle(a, { ...ctx, model: step === "ok" ? "default" : step });
    }
    case "drop":
      ctx.res.socket?.destroy();
      return;
    case "hang":
      return; // never answer; the socket stays open until the client or server closes it
    case "error":
      return sendReply(ctx, a.error(sc.status, ctx));
    case "echo":
      return synth(a, ctx, splitText(ECHO_TEXT, 5), ECHO_USAGE, 0, 0);
    case "mirror": {
      const text = JSON.stringify({ headers: ctx.headers, body: ctx.body });
      return synth(a, ctx, splitText(text, 5), mirrorUsage(text), 0, 0);
    }
    case "paced":
      return synth(a, ctx, Array.from({ length: sc.n }, () => "tok "), pacedUsage(sc.n), sc.ttftMs, sc.gapMs);
    case "fixture": {
      const f = loadFixture(sc.name);
      if (!f) return sendReply(ctx, a.error(404, ctx, `standin: no fixture '${sc.name}' (.json or .chunks.txt)`));
      return serveFixture(ctx, f, {});
    }
    case "default":
      return serveFixture(ctx, mustLoad(a.defaultFixture), {});
    case "reset":
      return serveFixture(ctx, mustLoad(a.defaultFixture), { reset: true });
    case "split":
      return serveFixture(ctx, mustLoad(a.defaultFixture), { split: true });
    case "usage":
      return serveFixture(ctx, mustLoad(a.defaultFixture), { usage: sc.mode });
  }
}

interface ServeOptions {
  /** Stream (even for a non-stream request) 5 events, then destroy the socket. */
  reset?: boolean;
  /** Write the response bytes in tiny fragments. */
  split?: boolean;
  /** Rewrite usage; for OpenAI the usage chunk is then sent regardless of include_usage. */
  usage?: UsageMode;
}

export async function serveFixture(ctx: Ctx, f: Fixture, opts: ServeOptions): Promise<void> {
  const streamed = opts.reset || ctx.stream || f.json === undefined;
  if (f.lines && streamed) {
    let lines = f.lines;
    if (opts.usage) lines = applyUsageToLines(f.api, lines, opts.usage);
    else if (f.api === "chat" && !ctx.includeUsage) lines = lines.filter((l) => !isUsageOnlyChunk(JSON.parse(l)));
    const resetAfter = opts.reset ? Math.max(1, Math.min(5, lines.length - 1)) : undefined;
    return replay(ctx.res, ctx.live, framingFor(f.api, ctx.geminiSse), lines, { splitBytes: opts.split, resetAfter });
  }
  let body = f.json;
  if (opts.usage && isObject(body)) body = applyUsage(f.api, body, opts.usage) ?? body;
  const status = statusForJson(body);
  if (!opts.split) return sendJson(ctx.res, status, body);
  ctx.res.writeHead(status, { "content-type": "application/json" });
  const pieces = fragments(JSON.stringify(body));
  for (let i = 0; i < pieces.length; i++) {
    if (!(await write(ctx.res, ctx.live, pieces[i]!))) return;
    await pause(true, i);
  }
  ctx.res.end();
}

/** Generated responses (echo, slow-stream, paced) in the route's own format. */
async function synth(a: Adapter, ctx: Ctx, pieces: string[], usage: Usage, ttftMs: number, gapMs: number): Promise<void> {
  const { res, live } = ctx;
  if (!ctx.stream) {
    await live.sleep(ttftMs + gapMs * Math.max(0, pieces.length - 1));
    if (!live.gone) sendJson(res, 200, a.message(ctx, pieces.join(""), usage));
    return;
  }
  const framing = framingFor(a.api, ctx.geminiSse);
  const ev = a.events(ctx, pieces, usage);
  let index = 0;
  const send = (e: unknown) => write(res, live, framing.frame(JSON.stringify(e), index++));
  startStream(res, framing.contentType);
  if (framing.head && !(await write(res, live, framing.head))) return;
  for (const e of ev.head) if (!(await send(e))) return;
  for (let i = 0; i < ev.deltas.length; i++) {
    await live.sleep(i === 0 ? ttftMs : gapMs);
    if (!(await send(ev.deltas[i]))) return;
  }
  for (const e of ev.tail) if (!(await send(e))) return;
  if (framing.tail && !(await write(res, live, framing.tail))) return;
  res.end();
}
