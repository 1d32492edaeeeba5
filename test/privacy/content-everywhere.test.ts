import { afterEach, describe, expect, it } from "vitest";
import { api, createUser, drained, usageRows } from "../helpers/gateway";
import { signedInUser } from "../helpers/session";
import { captureConsole, scanD1, scanDO, sseData } from "./scan";

// P16 on every content path besides test/privacy/content-never-stored.test.ts's OpenAI chat: /messages (Anthropic
// format, native Claude and translated), /responses (passed through; the stand-in answers it with a recorded reply, so only the prompt carries the marker),
// Claude and Gemini through /chat/completions, the dashboard playground, and embeddings (OpenAI
// and Gemini). Every prompt carries a marker; the mirror scenario sends it back in the completion.
// Afterwards no D1 row, no row or entry of either user's Durable Object and no log line holds it.
const MARKER = `MARKER-${crypto.randomUUID()}`;

let capture: ReturnType<typeof captureConsole> | null = null;
afterEach(() => {
  capture?.restore();
  capture = null;
});

const anthropicBody = (model: string, stream: boolean) => ({
  model, max_tokens: 100, stream,
  system: `${MARKER}-system`,
  messages: [{ role: "user", content: [{ type: "text", text: `${MARKER}-user` }] }],
  tools: [{ name: "lookup", description: `${MARKER}-tool`, input_schema: { type: "object", properties: { q: { type: "string" } } } }],
});
const chatBody = (model: string, stream: boolean) => ({
  model, stream, ...(stream ? { stream_options: { include_usage: true } } : {}),
  messages: [{ role: "system", content: `${MARKER}-system` }, { role: "user", content: `${MARKER}-user` }],
});
const responsesBody = (model: string, stream: boolean) => ({ model, stream, instructions: `${MARKER}-system`, input: `${MARKER}-user` });

/** The whole answer as text: JSON, or every SSE data payload joined (streamed mirrors arrive in pieces). */
async function answerText(res: Response): Promise<string> {
  const text = await res.text();
  if (!(res.headers.get("content-type") ?? "").includes("event-stream")) return text;
  return sseData(text).map((d) => {
    const e = JSON.parse(d) as { choices?: Array<{ delta?: { content?: string } }>; delta?: { text?: string }; type?: string };
    return e.choices?.[0]?.delta?.content ?? e.delta?.text ?? (typeof e.delta === "string" ? e.delta : "");
  }).join("");
}

interface Sent { label: string; res: Response; echoes: boolean }

describe("P16 on every content path", () => {
  it("messages, responses, Claude and Gemini chat, the playground and embeddings store no prompt or completion text", async () => {
    const { key, userId } = await createUser("5.00");
    const player = await signedInUser("1.00");
    capture = captureConsole();

    const v1 = (path: string, json: unknown) => api(path, key, { method: "POST", json });
    const sent: Sent[] = [];
    const send = async (label: string, echoes: boolean, res: Promise<Response>) => sent.push({ label, echoes, res: await res });

    for (const stream of [false, true]) {
      const s = stream ? "streamed" : "plain";
      await send(`messages claude ${s}`, true, v1("/messages", anthropicBody("test-claude-mirror", stream)));
      await send(`messages translated ${s}`, true, v1("/messages", anthropicBody("test-mirror", stream)));
      await send(`responses passthrough ${s}`, false, v1("/responses", responsesBody("test-mirror", stream)));
      await send(`chat claude ${s}`, true, v1("/chat/completions", chatBody("test-claude-mirror", stream)));
      await send(`chat gemini ${s}`, true, v1("/chat/completions", chatBody("test-gemini-mirror", stream)));
      await send(`playground ${s}`, true, player.fetch("/api/me/playground/chat/completions", { method: "POST", json: chatBody("test-mirror", stream) }));
    }
    await send("embeddings openai", false, v1("/embeddings", { model: "test-embed", input: [`${MARKER}-embed`] }));
    await send("embeddings gemini", false, v1("/embeddings", { model: "gemini-embedding-001", input: [`${MARKER}-embed`], encoding_format: "float" }));

    // Each request was served, and the echoes show the marker really went upstream and came back.
    for (const { label, res, echoes } of sent) {
      expect(res.status, label).toBe(200);
      const answer = await answerText(res);
      if (echoes) {
        expect(answer, label).toContain(`${MARKER}-system`);
        expect(answer, label).toContain(`${MARKER}-user`);
      }
    }

    await drained(userId);
    await drained(player.userId);
    // The scans are meaningful: every request left a usage record (without its content).
    const usage = [...(await usageRows(userId)), ...(await usageRows(player.userId))];
    expect(usage).toHaveLength(sent.length);
    expect(usage.every((r) => r.status === "success")).toBe(true);
    expect(new Set(usage.map((r) => r.endpoint))).toEqual(new Set(["messages", "responses", "chat.completions", "embeddings"]));

    const d1 = await scanD1(MARKER);
    expect(d1.tables).toEqual(expect.arrayContaining(["usage_logs", "transactions", "users", "api_keys", "email_outbox", "audit_log"]));
    expect(d1.rows).toBeGreaterThan(0);
    expect(d1.hits).toEqual([]);
    for (const id of [userId, player.userId]) {
      const dobj = await scanDO(id, MARKER);
      expect(dobj.tables).toEqual(expect.arrayContaining(["outbox", "ledger", "requests", "rate_events", "account", "api_keys"]));
      expect(dobj.hits).toEqual([]);
    }
    expect(capture.lines(MARKER)).toEqual([]);
  });
});
