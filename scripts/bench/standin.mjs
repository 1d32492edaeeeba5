#!/usr/bin/env node
// Loopback stand-in upstream for the benchmark (Node http, no dependencies). Run as its own process
// by run.mjs so that its CPU is not shared with the load generator's event loop.
//
//   POST /v1/chat/completions  {stream: false}  -> a chat.completion with usage, at once
//   POST /v1/chat/completions  {stream: true}   -> SSE: headers at once, the first token after
//        TTFT_MS, then the other CHUNKS-1 tokens GAP_MS apart (scheduled against the start, so
//        timer drift does not add up), then a usage-only chunk when stream_options.include_usage
//        is true, then [DONE].
//
// Every streamed token's content is "<index>@<send time>", the send time being
// process.hrtime.bigint() in nanoseconds: CLOCK_MONOTONIC, one clock for every process on the
// machine, so the client can tell how long each chunk took to cross the system under test.
//
// Prints one JSON line {"port": N} on stdout when listening. Environment: STANDIN_TTFT_MS (200),
// STANDIN_CHUNKS (64), STANDIN_GAP_MS (20).
import { createServer } from "node:http";

const TTFT_MS = Number(process.env.STANDIN_TTFT_MS ?? 200);
const CHUNKS = Number(process.env.STANDIN_CHUNKS ?? 64);
const GAP_MS = Number(process.env.STANDIN_GAP_MS ?? 20);

const now = () => process.hrtime.bigint();
const created = () => Math.floor(Date.now() / 1000);

function completion(model) {
  return JSON.stringify({
    id: "chatcmpl-standin",
    object: "chat.completion",
    created: created(),
    model,
    choices: [{ index: 0, message: { role: "assistant", content: "Hello! How can I help you today?", refusal: null }, logprobs: null, finish_reason: "stop" }],
    usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
    system_fingerprint: "fp_standin",
  });
}

function chunk(model, i, last) {
  const delta = i === 0 ? { role: "assistant", content: `${i}@${now()} ` } : { content: `${i}@${now()} ` };
  return `data: ${JSON.stringify({
    id: "chatcmpl-standin", object: "chat.completion.chunk", created: created(), model, system_fingerprint: "fp_standin",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: last ? "stop" : null }],
  })}\n\n`;
}

function usageChunk(model) {
  return `data: ${JSON.stringify({
    id: "chatcmpl-standin", object: "chat.completion.chunk", created: created(), model, system_fingerprint: "fp_standin", choices: [],
    usage: { prompt_tokens: 12, completion_tokens: CHUNKS, total_tokens: 12 + CHUNKS, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
  })}\n\n`;
}

function stream(req, res, body) {
  const model = typeof body.model === "string" ? body.model : "bench";
  const includeUsage = body.stream_options?.include_usage === true;
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
  res.flushHeaders();
  const start = performance.now();
  let i = 0;
  let timer = null;
  let closed = false;
  res.on("close", () => { closed = true; if (timer) clearTimeout(timer); });
  const next = () => {
    if (closed) return;
    const last = i === CHUNKS - 1;
    res.write(chunk(model, i, last));
    i += 1;
    if (last) {
      res.end((includeUsage ? usageChunk(model) : "") + "data: [DONE]\n\n");
      return;
    }
    const due = start + TTFT_MS + i * GAP_MS;
    timer = setTimeout(next, Math.max(0, due - performance.now()));
  };
  timer = setTimeout(next, TTFT_MS);
}

const server = createServer({ keepAliveTimeout: 60_000, noDelay: true }, (req, res) => {
  const parts = [];
  req.on("data", (d) => parts.push(d));
  req.on("end", () => {
    if (req.method !== "POST" || !req.url.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}`, type: "invalid_request_error" } }));
      return;
    }
    let body;
    try {
      body = JSON.parse(Buffer.concat(parts).toString("utf8"));
    } catch {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "body is not JSON", type: "invalid_request_error" } }));
      return;
    }
    if (body.stream === true) return stream(req, res, body);
    const out = completion(typeof body.model === "string" ? body.model : "bench");
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(out) });
    res.end(out);
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n");
});
// Exit with the parent: run.mjs holds our stdin open and it closes when run.mjs ends, however it ends.
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
process.on("SIGTERM", () => { server.closeAllConnections?.(); server.close(() => process.exit(0)); setTimeout(() => process.exit(0), 500).unref(); });
