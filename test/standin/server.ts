// Stand-in upstream for tests: replays recorded provider responses (see README.md here).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleMessages } from "./anthropic.js";
import { isObject } from "./fixtures.js";
import { handleBatchEmbed, handleGenerate } from "./google.js";
import { handleCohereChat, handleCohereEmbed } from "./cohere.js";
import { apiKeyOf, headerRecord, readBody, sendJson, type Ctx } from "./http.js";
import { handleChat, handleEmbeddings, handleResponses, OPENAI_PREFIXES } from "./openai.js";
import { Liveness } from "./sse.js";
import { handleOAuth } from "./oauth.js";
import { handleStripe } from "./stripe.js";
import { saveFigures } from "./figures.js";
import { conversationBill, handleConversation } from "./conversation.js";
import { handleCountTokens } from "./count-tokens.js";
import { logRequest, sendRequestLog } from "./request-log.js";
import { handleToolLoop, TOOL_LOOP } from "./tool-loop.js";

export interface Standin {
  port: number;
  close(): Promise<void>;
}

interface Route {
  handler: (ctx: Ctx) => Promise<void>;
  /** Gemini takes the model from the path and streaming from the method. */
  google?: { model: string; stream: boolean };
}

const OPENAI_RE = new RegExp(`^/(?:${OPENAI_PREFIXES.join("|")})/v1/(chat/completions|embeddings|responses)$`);
const GOOGLE_RE = /^\/google\/v1(?:beta)?\/models\/(.+):(generateContent|streamGenerateContent|batchEmbedContents)$/;

/** Responses: model `conversation` (or `conversation:<tag>`, counted apart in /__stats) is a stored, billed conversation (conversation.ts); the rest replay fixtures. */
const respond = (ctx: Ctx) => (/^conversation(:|$)/.test(ctx.model) ? handleConversation(ctx) : handleResponses(ctx));

function route(pathname: string): Route | null {
  const oa = OPENAI_RE.exec(pathname);
  if (oa) return { handler: oa[1] === "embeddings" ? handleEmbeddings : oa[1] === "responses" ? respond : handleChat };
  if (pathname === "/anthropic/v1/messages") return { handler: handleMessages };
  if (pathname === "/cohere/v2/chat") return { handler: handleCohereChat };
  if (pathname === "/cohere/v2/embed") return { handler: handleCohereEmbed };
  if (pathname === "/anthropic/v1/messages/count_tokens") return { handler: handleCountTokens };
  const g = GOOGLE_RE.exec(pathname);
  if (g) {
    let model = g[1]!;
    try {
      model = decodeURIComponent(model);
    } catch {
      // keep the raw segment
    }
    if (g[2] === "batchEmbedContents") return { handler: handleBatchEmbed, google: { model, stream: false } };
    return { handler: handleGenerate, google: { model, stream: g[2] === "streamGenerateContent" } };
  }
  return null;
}

class Stats {
  requests = 0;
  byModel: Record<string, number> = {};
  count(model: string): void {
    this.requests++;
    this.byModel[model] = (this.byModel[model] ?? 0) + 1;
  }
  reset(): void {
    this.requests = 0;
    this.byModel = {};
  }
}

async function onRequest(req: IncomingMessage, res: ServerResponse, stats: Stats): Promise<void> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const method = req.method ?? "GET";
  if (url.pathname === "/__stats" && method === "GET") {
    return sendJson(res, 200, { requests: stats.requests, byModel: stats.byModel });
  }
  if (url.pathname.startsWith("/__responses/bill/") && method === "GET") return conversationBill(res, decodeURIComponent(url.pathname.slice(18)));
  if (url.pathname === "/__requests" && method === "GET") return sendRequestLog(res, url);
  if (url.pathname.startsWith("/__figures/") && method === "POST") return saveFigures(req, res, url.pathname.slice(11));
  if (url.pathname === "/__reset" && method === "POST") {
    stats.reset();
    return sendJson(res, 200, { ok: true });
  }
  if (url.pathname.startsWith("/oauth/") && (await handleOAuth(req, res, url))) return;
  if (url.pathname.startsWith("/stripe/") && (await handleStripe(req, res, url))) return;
  const r = method === "POST" ? route(url.pathname) : null;
  if (!r) {
    return sendJson(res, 404, {
      error: { message: `standin: no route for ${method} ${url.pathname}`, type: "invalid_request_error", code: "not_found" },
    });
  }

  const text = await readBody(req);
  let parsed: unknown = {};
  if (text.trim() !== "") {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!isObject(parsed)) {
    return sendJson(res, 400, {
      error: { message: "standin: the request body is not a JSON object", type: "invalid_request_error", code: null },
    });
  }
  const body = parsed;
  const model = r.google ? r.google.model : typeof body.model === "string" ? body.model : "";
  stats.count(model);

  const headers = headerRecord(req);
  logRequest({ method, path: url.pathname + url.search, headers, body, model });
  const streamOptions = body.stream_options;
  const ctx: Ctx = {
    req,
    res,
    live: new Liveness(res),
    url,
    body,
    model,
    stream: r.google ? r.google.stream : body.stream === true,
    includeUsage: r.handler === handleChat ? isObject(streamOptions) && streamOptions.include_usage === true : true,
    geminiSse: r.google ? url.searchParams.get("alt") === "sse" : true,
    headers,
    apiKey: apiKeyOf(headers, url),
  };
  await (model === TOOL_LOOP && r.handler === handleChat ? handleToolLoop : r.handler)(ctx);
}

/** Starts the stand-in on 127.0.0.1:`port` (0 or NaN = any free port). */
export function startStandin(port: number): Promise<Standin> {
  const stats = new Stats();
  const server = createServer((req, res) => {
    onRequest(req, res, stats).catch((err: unknown) => {
      console.error("standin: handler failed", err);
      if (!res.headersSent) sendJson(res, 500, { error: { message: `standin crashed: ${String(err)}`, type: "standin_error" } });
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number.isFinite(port) ? port : 0, "127.0.0.1", () => {
      server.off("error", reject);
      const actual = (server.address() as AddressInfo).port;
      resolve({
        port: actual,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            // Hanging and streaming requests would otherwise keep close() waiting.
            server.closeAllConnections();
          }),
      });
    });
  });
}
