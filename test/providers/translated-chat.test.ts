import { describe, expect, it } from "vitest";
import { createUser, drained, openai, usageRows } from "../helpers/gateway";

describe("Claude and Gemini through /chat/completions: text, streams and tool calls billed at their recorded usage", () => {
  it("claude text (non-stream and stream) and gemini text", async () => {
    const { key, userId } = await createUser("5.00");
    const client = openai(key);
    const r1 = await client.chat.completions.create({ model: "test-claude-text", messages: [{ role: "user", content: "hi" }] });
    expect(r1.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 29 });
    const s = await client.chat.completions.create({ model: "test-claude-text", messages: [{ role: "user", content: "hi" }], stream: true, stream_options: { include_usage: true } });
    let text = ""; let usage: unknown;
    for await (const ch of s) { text += ch.choices[0]?.delta.content ?? ""; if (ch.usage) usage = ch.usage; }
    expect(text.length).toBeGreaterThan(10);
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 30 });
    const g = await client.chat.completions.create({ model: "test-gemini-text", messages: [{ role: "user", content: "hi" }] });
    expect(g.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 272 });
    const gs = await client.chat.completions.create({ model: "test-gemini-tools", messages: [{ role: "user", content: "weather?" }], stream: true });
    const calls: string[] = [];
    for await (const ch of gs) for (const t of ch.choices[0]?.delta.tool_calls ?? []) calls.push(t.function?.arguments ?? "");
    expect(JSON.parse(calls.join(""))).toEqual({ location: "San Francisco" });
    await drained(userId);
    const rows = await usageRows(userId);
    expect(rows.map((r) => r.provider)).toEqual(["anthropic", "anthropic", "google", "google"]);
  });
});
