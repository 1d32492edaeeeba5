// The recording stand-in: a loopback HTTP server that logs every request a client makes
// (method, path, headers, JSON body) and answers like the provider would, from recorded
// provider responses (answers.mjs). Clients get the base URL `/rec/<client>/<case>`, so each
// request is filed under its client and case. Keys are never kept (see scrub()).
import { createServer } from "node:http";
import {
  chatChunks, chatJson, chatPlan, messagesEvents, messagesJson, messagesPlan, responsesEvents, responsesJson,
} from "./answers.mjs";

/** Headers left out of recordings: transport details that the HTTP stack, not the client, sets. */
const TRANSPORT = new Set(["host", "content-length", "connection", "accept-encoding", "transfer-encoding", "keep-alive"]);
/** Headers whose values are credentials: kept as a placeholder so their presence is visible. */
const SECRET = new Set(["authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie", "proxy-authorization"]);

export function scrub(headers) {
  const out = {};
  for (const name of Object.keys(headers).sort()) {
    if (TRANSPORT.has(name)) continue;
    const v = headers[name];
    out[name] = SECRET.has(name) ? "<scrubbed>" : Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

const readBody = async (req) => {
  const parts = [];
  for await (const c of req) parts.push(c);
  return Buffer.concat(parts).toString("utf8");
};

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "request-id": "req_recorder", "x-request-id": "req_recorder" });
  res.end(text);
}

function sendSse(res, events, { named, done }) {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "request-id": "req_recorder" });
  for (const e of events) res.write(`${named ? `event: ${e.type}\n` : ""}data: ${JSON.stringify(e)}\n\n`);
  if (done) res.write("data: [DONE]\n\n");
  res.end();
}

function answer(path, body, res, opts) {
  const stream = body?.stream === true;
  if (path === "/v1/chat/completions") {
    const plan = chatPlan(body);
    return stream ? sendSse(res, chatChunks(body, plan), { done: true }) : sendJson(res, 200, chatJson(body, plan));
  }
  if (path === "/v1/messages") {
    const plan = messagesPlan(body, opts.readPath);
    return stream ? sendSse(res, messagesEvents(body, plan), { named: true }) : sendJson(res, 200, messagesJson(body, plan));
  }
  if (path === "/v1/messages/count_tokens") {
    return sendJson(res, 200, { input_tokens: Math.ceil(JSON.stringify(body ?? {}).length / 4) });
  }
  if (path === "/v1/responses") return stream ? sendSse(res, responsesEvents(), { named: true }) : sendJson(res, 200, responsesJson());
  return sendJson(res, 404, { type: "error", error: { type: "not_found_error", message: `recorder: no route for ${path}` } });
}

/**
 * Starts the recorder on 127.0.0.1 (any free port). `readPath` is the file Claude Code is asked
 * to Read. Returns `base(client, case)` and `take(client, case)` (the requests filed there).
 */
export function startRecorder({ readPath = "/tmp/hello.txt" } = {}) {
  const log = new Map();
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const m = /^\/rec\/([^/]+)\/([^/]+)(\/.*)$/.exec(url.pathname);
      const text = await readBody(req);
      let body = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = { unparsed: text.slice(0, 200) };
      }
      if (!m) return sendJson(res, 404, { error: { message: `recorder: unfiled request ${url.pathname}` } });
      const [, client, name, path] = m;
      const key = `${client}/${name}`;
      if (!log.has(key)) log.set(key, []);
      const path0 = path.replace(/\/+$/, "");
      log.get(key).push({ method: req.method, path: path0 + url.search, headers: scrub(req.headers), body });
      answer(path0, body, res, { readPath });
    })().catch((err) => {
      console.error("recorder:", err);
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(err) } });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        port,
        base: (client, name) => `http://127.0.0.1:${port}/rec/${client}/${name}`,
        take: (client, name) => log.get(`${client}/${name}`) ?? [],
        close: () => new Promise((done) => { server.close(() => done()); server.closeAllConnections(); }),
      });
    });
  });
}
