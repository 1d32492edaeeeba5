import { env, listDurableObjectIds, runInDurableObject, SELF } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { BASE, chat, createUser, drained, usageRows } from "../helpers/gateway";
import { mirrorBill } from "../helpers/mirror";

// What the gateway sends upstream and what it keeps: the stand-in's `mirror` scenario replies with
// JSON.stringify({ headers, body }) of the request it received, so the assistant text shows exactly
// what reached the provider. The provider key must only ever travel to the provider.

const UPSTREAM_KEY = "sk-upstream-openai-SECRET-0123456789abcdef";

/** Headers a client might send that must never be forwarded. */
const clientHeaders = (clientKey: string) => ({
  authorization: `Bearer ${clientKey}`,
  cookie: "session=abc",
  "x-api-key": clientKey,
  "openai-organization": "org-client-123",
  "x-forwarded-for": "203.0.113.7",
  "x-custom-secret": "custom-secret-value",
});
const FORBIDDEN = ["cookie", "x-api-key", "openai-organization", "x-forwarded-for", "x-custom-secret"];
/** Everything the upstream may see: what the gateway sets plus what the runtime adds to any fetch. */
const ALLOWED = new Set(["authorization", "content-type", "accept", "content-length", "host", "cf-worker", "accept-encoding", "user-agent", "connection"]);

type Echo = { headers: Record<string, string>; body: Record<string, unknown> };

function post(path: string, headers: Record<string, string>, body: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}/api/v1${path}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) });
}

/** Reads an SSE chat stream: every parsed data chunk (except [DONE]) and the joined delta content. */
async function readStream(res: Response): Promise<{ chunks: Array<Record<string, unknown>>; content: string; raw: string }> {
  const raw = await res.text();
  const chunks = raw.split("\n").filter((l) => l.startsWith("data: ") && l !== "data: [DONE]").map((l) => JSON.parse(l.slice(6)) as Record<string, unknown>);
  const content = chunks.map((c) => ((c.choices as Array<{ delta?: { content?: string } }> | undefined)?.[0]?.delta?.content ?? "")).join("");
  return { chunks, content, raw };
}

function expectCleanUpstreamHeaders(echo: Echo, clientKey: string) {
  expect(echo.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
  for (const h of FORBIDDEN) expect(echo.headers, h).not.toHaveProperty(h);
  for (const name of Object.keys(echo.headers)) expect(ALLOWED.has(name), `unexpected upstream header ${name}`).toBe(true);
  const all = JSON.stringify(echo.headers);
  for (const leak of [clientKey, clientKey.slice(-43), "session=abc", "org-client-123", "203.0.113.7", "custom-secret-value"]) {
    expect(all).not.toContain(leak);
  }
  expect(JSON.stringify(echo.body)).not.toContain(clientKey);
}

// Every console call made by the worker (it runs in this isolate) during a test is checked for keys.
let spies: MockInstance[] = [];
let clientKeys: string[] = [];
beforeEach(() => {
  clientKeys = [];
  spies = (["log", "error", "warn", "info", "debug"] as const).map((m) => vi.spyOn(console, m));
});
afterEach(() => {
  const text = spies.flatMap((s) => s.mock.calls).map((args) => args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === "string" ? a : JSON.stringify(a))).join(" "));
  for (const s of spies) s.mockRestore();
  for (const line of text) {
    expect(line).not.toContain(UPSTREAM_KEY);
    expect(line).not.toContain("SECRET");
    for (const k of clientKeys) expect(line).not.toContain(k);
  }
});

describe("headers and body sent upstream", () => {
  it("forwards none of the client's headers; authorizes with the gateway's provider key; rewrites model", async () => {
    const { key, userId } = await createUser("1.00");
    clientKeys.push(key);
    const res = await post("/chat/completions", clientHeaders(key), { model: "test-mirror", messages: [{ role: "user", content: "Hi" }] });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { choices: Array<{ message: { content: string } }> };
    const echo = JSON.parse(json.choices[0]!.message.content) as Echo;
    expectCleanUpstreamHeaders(echo, key);
    expect(echo.body.model).toBe("mirror"); // the catalog's upstream_model, not "test-mirror"
    expect(echo.body).not.toHaveProperty("stream_options"); // not streamed: no stream_options upstream
    // The request was billed to the caller: 11 × 1000 + the reply's tokens × 2000 nUSD.
    const { costNano } = mirrorBill(json.choices[0]!.message.content);
    expect(await drained(userId)).toMatchObject({ balanceNano: 1_000_000_000 - costNano, holdsNano: 0 });
  });

  it("a key sent only as x-api-key is not forwarded either", async () => {
    const { key } = await createUser("1.00");
    clientKeys.push(key);
    const { authorization: _omit, ...headers } = clientHeaders(key);
    const res = await post("/chat/completions", headers, { model: "test-mirror", messages: [{ role: "user", content: "Hi" }] });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { choices: Array<{ message: { content: string } }> };
    expectCleanUpstreamHeaders(JSON.parse(json.choices[0]!.message.content) as Echo, key);
  });

  it("a stream: include_usage forced on upstream, the client (who did not ask) sees no usage chunk, model rewritten", async () => {
    const { key, userId } = await createUser("1.00");
    clientKeys.push(key);
    const res = await post("/chat/completions", clientHeaders(key), { model: "test-mirror", messages: [{ role: "user", content: "Hi" }], stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const { chunks, content, raw } = await readStream(res);
    expect(raw.trimEnd().endsWith("data: [DONE]")).toBe(true);
    const echo = JSON.parse(content) as Echo;
    expectCleanUpstreamHeaders(echo, key);
    expect(echo.body.model).toBe("mirror");
    expect(echo.body.stream).toBe(true);
    expect(echo.body.stream_options).toEqual({ include_usage: true });
    expect(echo.headers.accept).toBe("text/event-stream");
    expect(chunks.length).toBeGreaterThan(0);
    for (const c of chunks) {
      expect(c).not.toHaveProperty("usage");
      expect((c.choices as unknown[]).length).toBeGreaterThan(0);
    }
    // Billed from the upstream's usage chunk anyway: 11 × 1000 + the reply's tokens × 2000 nUSD.
    const bill = mirrorBill(content);
    expect(await drained(userId)).toMatchObject({ balanceNano: 1_000_000_000 - bill.costNano, holdsNano: 0 });
    expect((await usageRows(userId))[0]).toMatchObject({ prompt_tokens: 11, completion_tokens: bill.completionTokens, cost_nano: bill.costNano, usage_source: "upstream", stream: 1 });
  });

  it("a stream whose client asked for include_usage keeps its own stream_options and gets the usage chunk", async () => {
    const { key } = await createUser("1.00");
    clientKeys.push(key);
    const res = await post("/chat/completions", clientHeaders(key), {
      model: "test-mirror", messages: [{ role: "user", content: "Hi" }], stream: true, stream_options: { include_usage: true },
    });
    const { chunks, content } = await readStream(res);
    const echo = JSON.parse(content) as Echo;
    expect(echo.body.stream_options).toEqual({ include_usage: true });
    const usage = chunks.filter((c) => c.usage).map((c) => c.usage);
    const bill = mirrorBill(content);
    expect(usage).toEqual([{ prompt_tokens: 11, completion_tokens: bill.completionTokens, total_tokens: 11 + bill.completionTokens, cost: bill.costNano / 1e9 }]);
  });
});

/** Every string value of every row of every D1 table. */
async function d1Text(): Promise<{ tables: string[]; text: string }> {
  const { results } = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{ name: string }>();
  const tables = results.map((r) => r.name);
  let text = "";
  for (const t of tables) {
    try {
      const rows = await env.DB.prepare(`SELECT * FROM "${t}"`).all();
      text += JSON.stringify(rows.results);
    } catch (err) {
      if (!t.startsWith("_cf_")) throw err; // the runtime's own metadata table may be unreadable
    }
  }
  return { tables, text };
}

/** Every row of every table (and every KV entry) of every AccountDO created in this file. */
async function durableObjectsText(): Promise<{ objects: number; tables: string[]; text: string }> {
  const ids = await listDurableObjectIds(env.ACCOUNT);
  let text = "";
  const tables = new Set<string>();
  for (const id of ids) {
    text += await runInDurableObject(env.ACCOUNT.get(id), async (_instance, state) => {
      let out = "";
      const names = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((r) => r.name);
      for (const n of names) {
        tables.add(n);
        try {
          out += JSON.stringify(state.storage.sql.exec(`SELECT * FROM "${n}"`).toArray());
        } catch (err) {
          if (!n.startsWith("_cf_")) throw err;
        }
      }
      out += JSON.stringify([...(await state.storage.list()).entries()]);
      return out;
    });
  }
  return { objects: ids.length, tables: [...tables], text };
}

describe("an upstream 401 leaks the provider key nowhere", () => {
  it("not to the client, not into D1, not into any Durable Object's storage, not into logs", async () => {
    const { key, userId } = await createUser("1.00");
    clientKeys.push(key);
    for (const stream of [false, true]) {
      const res = await post("/chat/completions", clientHeaders(key), { model: "test-error-401", messages: [{ role: "user", content: "Hi" }], stream });
      const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
      const text = await res.text();
      expect(res.status).toBe(502);
      expect(JSON.parse(text)).toMatchObject({ error: { code: "upstream_auth_failed", type: "api_error", param: null } });
      for (const leak of [UPSTREAM_KEY, "SECRET", key]) {
        expect(text).not.toContain(leak);
        expect(headers).not.toContain(leak);
      }
    }
    await drained(userId);
    const rows = await usageRows(userId);
    expect(rows.map((r) => [r.status, r.error_code, r.cost_nano])).toEqual([
      ["upstream_error", "upstream_auth_failed", 0], ["upstream_error", "upstream_auth_failed", 0],
    ]);

    const d1 = await d1Text();
    expect(d1.tables).toEqual(expect.arrayContaining(["usage_logs", "transactions", "api_keys", "users", "models"]));
    expect(d1.text).not.toContain("SECRET");
    expect(d1.text).not.toContain(key);

    const dos = await durableObjectsText();
    expect(dos.objects).toBeGreaterThanOrEqual(1);
    expect(dos.tables).toEqual(expect.arrayContaining(["account", "api_keys", "requests", "rate_events", "ledger", "outbox"]));
    expect(dos.text).toContain(userId);
    expect(dos.text).toContain("upstream_auth_failed"); // the scan really covers the usage records (the wallet keeps them)
    expect(dos.text).not.toContain("SECRET");
    expect(dos.text).not.toContain(key);
  });
});

describe("logging", () => {
  it("the console spies see the worker's logs, and an internal fault is logged without its (secret-bearing) message", async () => {
    const { key } = await createUser("1.00");
    clientKeys.push(key);
    // Inject a fault into the key hashing the request path does; its message carries both keys.
    const digest = vi.spyOn(crypto.subtle, "digest").mockRejectedValueOnce(new Error(`boom ${UPSTREAM_KEY} ${key}`));
    const res = await post("/chat/completions", clientHeaders(key), { model: "test-echo", messages: [{ role: "user", content: "Hi" }] });
    digest.mockRestore();
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(JSON.parse(text)).toMatchObject({ error: { code: "internal_error", type: "api_error", param: null } });
    expect(text).not.toContain("boom");
    expect(text).not.toContain(key);
    const errors = spies[1]!.mock.calls.map((args) => args.join(" "));
    expect(errors).toContain("internal error on POST /api/v1/chat/completions: Error");
    // afterEach then checks that no console call carried either key.
  });
});
