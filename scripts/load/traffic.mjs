// The load's clients: one request at a time over node:http keep-alive sockets. A streamed request
// may be aborted by its client after a few content chunks (the socket is destroyed, as when a
// user closes the tab). Resolves { status, admitted, aborted, stream, ms, error }.
import http from "node:http";

/** mulberry32: a small seeded generator, so a run can be repeated with --seed. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeAgent(maxSockets) {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: "lifo", timeout: 4_000 });
}

/**
 * One chat completion through the gateway. `abortAfter` (streams only): destroy the connection
 * once that many content chunks arrived. `admitted` = the gateway answered 200 (a refusal, 402 or
 * 429, is decided before admission and leaves no usage record).
 */
export function chatRequest(origin, agent, apiKey, payload, abortAfter = null) {
  const body = Buffer.from(JSON.stringify(payload));
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (r) => { if (!settled) { settled = true; resolve({ ms: performance.now() - started, stream: payload.stream === true, ...r }); } };
    const req = http.request(`${origin}/v1/chat/completions`, {
      method: "POST", agent,
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", "content-length": body.length },
    }, (res) => {
      const status = res.statusCode;
      let text = "";
      let chunks = 0;
      res.setEncoding("utf8");
      res.on("data", (d) => {
        text += d;
        if (abortAfter === null || status !== 200) return;
        chunks = (text.match(/"content":"[^"]/g) ?? []).length;
        if (chunks >= abortAfter) {
          req.destroy();
          done({ status, admitted: true, aborted: true, chunks });
        }
      });
      res.on("end", () => {
        const complete = status !== 200 || payload.stream !== true || text.trimEnd().endsWith("data: [DONE]");
        done({ status, admitted: status === 200, aborted: false, error: complete ? null : "stream did not end with [DONE]", body: status === 200 ? null : text.slice(0, 300) });
      });
      res.on("error", () => done({ status, admitted: status === 200, aborted: abortAfter !== null, error: abortAfter === null ? "response error" : null }));
    });
    req.on("error", (err) => done({ status: 0, admitted: false, aborted: false, error: String(err) }));
    req.end(body);
  });
}
