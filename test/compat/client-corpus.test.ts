import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { addTestModels } from "../helpers/catalog";
import { BASE, createUser } from "../helpers/gateway";
import {
  CORPUS, GATEWAY_SET, replayHeaders, streamError, surfaceOf, upstreamReceived,
  type RecordedRequest, type Surface, type UpstreamRequest,
} from "./corpus";

// Issue 13, must show 1: every request that a current release of a real client sent
// (test/fixtures/clients, recorded by scripts/clients/record.mjs) is replayed through the gateway
// as recorded — same body, same headers, only the key and the model changed. None may get a 4xx
// or 5xx, and the stand-in upstream must receive what the pass-through policy says: OpenAI-format
// requests reach an OpenAI-format provider with every field the gateway does not set itself
// unchanged; Claude requests reach Anthropic natively, with the same fields and betas.

/** Betas the gateway never forwards (they make Anthropic charge more than the catalog price). */
const PRICED_BETAS = /context-1m/i;

let counter = 0;

/** A catalog model, unique to this request, whose upstream name the stand-in logs under. */
function modelFor(client: string, name: string, i: number): string {
  return `corpus-${client}-${name}-${i}-${Date.now().toString(36)}${counter++}`.replace(/[^\w.-]/g, "-");
}

const providerOf = (s: Surface) => (s === "messages" || s === "count_tokens" ? "anthropic" : "openai");

async function replay(r: RecordedRequest, key: string, model: string): Promise<{ status: number; text: string }> {
  const res = await SELF.fetch(`${BASE}/api${r.path}`, {
    method: r.method,
    headers: replayHeaders(r.headers, key),
    body: JSON.stringify({ ...r.body, model }),
  });
  return { status: res.status, text: await res.text() };
}

/** Anthropic's shorthand: a string `system`, message `content` or tool_result `content` is one text block. */
function blocks(value: unknown): unknown {
  if (typeof value === "string") return [{ type: "text", text: value }];
  if (!Array.isArray(value)) return value;
  return value.map((b: Record<string, unknown>) => (b.type === "tool_result" && "content" in b ? { ...b, content: blocks(b.content) } : b));
}

function asAnthropicSent(field: string, value: unknown): unknown {
  if (field === "system") return blocks(value);
  if (field !== "messages" || !Array.isArray(value)) return value;
  return value.map((m: Record<string, unknown>) => ({ ...m, content: blocks(m.content) }));
}

/**
 * Every field of the recorded body that the gateway does not set itself arrives unchanged
 * (for Claude, up to Anthropic's string-for-one-text-block shorthand).
 */
function expectPassedThrough(s: Exclude<Surface, "count_tokens">, r: RecordedRequest, got: UpstreamRequest): void {
  for (const [field, value] of Object.entries(r.body)) {
    if (GATEWAY_SET[s].has(field)) continue;
    const [sent, recorded] = s === "messages" ? [asAnthropicSent(field, got.body[field]), asAnthropicSent(field, value)] : [got.body[field], value];
    expect(sent, `upstream body field '${field}'`).toEqual(recorded);
  }
}

function expectUpstream(s: Exclude<Surface, "count_tokens">, r: RecordedRequest, got: UpstreamRequest, model: string): void {
  expect(got.body.model).toBe(model);
  expectPassedThrough(s, r, got);
  if (s === "chat") {
    expect(got.path).toBe("/openai/v1/chat/completions");
    if (r.body.stream === true) expect(got.body.stream_options).toEqual({ ...(r.body.stream_options as object | undefined), include_usage: true });
    return;
  }
  if (s === "responses") {
    expect(got.path).toBe("/openai/v1/responses");
    return;
  }
  // Claude on /messages: natively to Anthropic, with the client's protocol headers.
  expect(got.path).toBe("/anthropic/v1/messages");
  expect(got.body.max_tokens as number).toBeLessThanOrEqual(r.body.max_tokens as number);
  expect(got.headers["anthropic-version"]).toBe(r.headers["anthropic-version"] ?? "2023-06-01");
  const betas = (r.headers["anthropic-beta"] ?? "").split(",").filter((b) => b && !PRICED_BETAS.test(b));
  expect(got.headers["anthropic-beta"]?.split(",") ?? []).toEqual(betas);
}

describe("recorded real-client traffic replayed through the gateway", () => {
  it("has recordings of every client the issue names", () => {
    const clients = new Set(CORPUS.map((c) => c.client));
    for (const c of ["openai-node", "openai-python", "anthropic-node", "claude-code", "ai-sdk", "langchain"]) expect(clients).toContain(c);
    for (const c of CORPUS) {
      expect(c.version, `${c.client}/${c.case}`).toMatch(/^\d+\.\d+\.\d+/);
      for (const r of c.requests) {
        for (const h of ["authorization", "x-api-key"]) if (h in r.headers) expect(r.headers[h]).toBe("<scrubbed>");
      }
      expect(JSON.stringify(c.requests)).not.toMatch(/(?<![\w-])sk-(?!recording|ant-recording)[\w-]{16,}/);
    }
  });

  for (const c of CORPUS) {
    it(`${c.client} ${c.version}: ${c.case} (${c.requests.length} request(s)) — no 4xx/5xx, upstream gets what the policy says`, async () => {
      const rows = c.requests.map((r, i) => [modelFor(c.client, c.case, i), providerOf(surfaceOf(r.path)), ""] as [string, string, string]);
      for (const row of rows) row[2] = row[0];
      await addTestModels(env, rows, 200_000);
      const { key } = await createUser("50.00");
      for (const [i, r] of c.requests.entries()) {
        const s = surfaceOf(r.path);
        const model = rows[i]![0];
        const { status, text } = await replay(r, key, model);
        const where = `${c.client}/${c.case} request ${i} (${r.path})`;
        expect(status, `${where}: ${text.slice(0, 400)}`).toBeLessThan(400);
        expect(streamError(text), where).toBeNull();
        if (s === "count_tokens") {
          expect((JSON.parse(text) as { input_tokens: unknown }).input_tokens, where).toEqual(expect.any(Number));
          continue;
        }
        const got = await upstreamReceived(model);
        expect(got, `${where}: upstream requests`).toHaveLength(1);
        expectUpstream(s, r, got[0]!, model);
      }
    });
  }
});
