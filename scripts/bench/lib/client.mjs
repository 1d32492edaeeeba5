// The load generator: node:http with keep-alive agents (cheaper per request than fetch, so the
// client takes less of the two cores from the systems under test). Times are
// process.hrtime.bigint() (CLOCK_MONOTONIC, shared with the stand-in process).
import http from "node:http";

const nowNs = () => process.hrtime.bigint();
export const nsToMs = (ns) => Number(ns) / 1e6;

/**
 * A keep-alive agent. "lifo" reuses the most recently used socket, and `timeout` drops a socket
 * that stayed idle for 4 s, before any server's own idle timeout (Node's default is 5 s) can
 * close it just as a request is written to it ("socket hang up" on a reused socket).
 */
export function makeAgent(maxSockets) {
  return new http.Agent({ keepAlive: true, keepAliveMsecs: 1_000, maxSockets, maxFreeSockets: maxSockets, scheduling: "lifo", timeout: 4_000 });
}

/**
 * One POST. Non-stream: resolves { ok, status, startNs, endNs }. Stream: also
 * { firstNs, chunks: [{ i, sentNs, recvNs }] }, where each chunk is one token the stand-in sent
 * (its content carries the index and the send time) and recvNs is when its event's last byte
 * arrived here.
 */
export function post(target, payload, agent, { stream = false } = {}) {
  const url = target.url;
  const body = Buffer.from(JSON.stringify(payload));
  return new Promise((resolve) => {
    const startNs = nowNs();
    const req = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: { ...target.headers, "content-type": "application/json", "content-length": body.length },
      },
      (res) => {
        const chunks = [];
        let text = "";
        let raw = stream ? null : [];
        let firstNs = null;
        res.setEncoding("utf8");
        res.on("data", (d) => {
          const at = nowNs();
          if (!stream || res.statusCode !== 200) {
            (raw ??= []).push(d);
            return;
          }
          text += d;
          let cut;
          while ((cut = text.indexOf("\n\n")) !== -1) {
            const event = text.slice(0, cut);
            text = text.slice(cut + 2);
            for (const line of event.split("\n")) {
              const l = line.endsWith("\r") ? line.slice(0, -1) : line;
              if (!l.startsWith("data:")) continue;
              const data = l.slice(5).trim();
              if (data === "[DONE]" || data === "") continue;
              let json;
              try { json = JSON.parse(data); } catch { continue; }
              const content = json.choices?.[0]?.delta?.content;
              const m = typeof content === "string" ? /^(\d+)@(\d+) $/.exec(content) : null;
              if (!m) continue;
              if (firstNs === null) firstNs = at;
              chunks.push({ i: Number(m[1]), sentNs: BigInt(m[2]), recvNs: at });
            }
          }
        });
        res.on("end", () => {
          const endNs = nowNs();
          const ok = res.statusCode === 200 && (!stream || chunks.length > 0);
          const out = { ok, status: res.statusCode, startNs, endNs };
          if (stream) Object.assign(out, { firstNs, chunks });
          if (!ok) out.error = (raw ?? []).join("").slice(0, 300);
          resolve(out);
        });
        res.on("error", (err) => resolve({ ok: false, status: 0, startNs, endNs: nowNs(), error: String(err) }));
      },
    );
    req.on("error", (err) => resolve({ ok: false, status: 0, startNs, endNs: nowNs(), error: String(err) }));
    req.end(body);
  });
}

/**
 * Closed loop: `concurrency` callers, each sending its next request as soon as the previous one
 * ends, until `durationMs` has passed. Returns { completed, errors, elapsedMs, firstError }.
 */
export async function closedLoop(target, payload, agent, concurrency, durationMs) {
  const startNs = nowNs();
  const deadline = startNs + BigInt(Math.round(durationMs * 1e6));
  let completed = 0;
  let errors = 0;
  let firstError = null;
  let lastEnd = startNs;
  const caller = async () => {
    while (nowNs() < deadline) {
      const r = await post(target, payload, agent);
      if (r.ok) completed += 1;
      else {
        errors += 1;
        firstError ??= `${r.status} ${r.error}`;
      }
      if (r.endNs > lastEnd) lastEnd = r.endNs;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  return { completed, errors, elapsedMs: nsToMs(lastEnd - startNs), firstError };
}
