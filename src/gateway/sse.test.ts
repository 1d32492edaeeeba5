import { describe, expect, it } from "vitest";
import textChunks from "../../test/fixtures/providers/openai/chat/openai-text.chunks.txt?raw";
import { SseParser } from "./sse";

const lines = textChunks.split("\n").filter((l) => l.trim());

function frame(newline: string): string {
  return lines.map((l) => `data: ${l}${newline}${newline}`).join("") + `data: [DONE]${newline}${newline}`;
}

function parseInPieces(text: string, cut: (i: number) => number): string[] {
  const p = new SseParser();
  const out: string[] = [];
  for (let i = 0; i < text.length;) {
    const n = cut(i);
    out.push(...p.push(text.slice(i, i + n)).map((e) => e.data));
    i += n;
  }
  out.push(...p.end().map((e) => e.data));
  return out;
}

describe("SseParser on the recorded OpenAI stream", () => {
  it("parses LF framing in one piece", () => {
    expect(parseInPieces(frame("\n"), () => Infinity)).toEqual([...lines, "[DONE]"]);
  });

  it("parses CRLF framing split at every byte boundary pattern, including between \\r and \\n", () => {
    const text = frame("\r\n");
    for (const size of [1, 2, 3, 7, 13, 64]) {
      expect(parseInPieces(text, () => size)).toEqual([...lines, "[DONE]"]);
    }
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 29) + 1;
    expect(parseInPieces(text, random)).toEqual([...lines, "[DONE]"]);
  });

  it("handles event names, comments, multi-line data and a final event without a blank line", () => {
    const p = new SseParser();
    const events = [...p.push(": keep-alive\nevent: message_start\ndata: {\"a\":\ndata: 1}\n\n"), ...p.push("data: last"), ...p.end()];
    expect(events).toEqual([{ event: "message_start", data: "{\"a\":\n1}" }, { event: null, data: "last" }]);
  });

  it("yields an event as soon as its blank line arrives (no look-ahead buffering)", () => {
    const p = new SseParser();
    expect(p.push("data: one\n")).toEqual([]);
    expect(p.push("\n")).toEqual([{ event: null, data: "one" }]);
  });
});
