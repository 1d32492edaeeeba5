import fc from "fast-check";
import { countTokens as wholeCount } from "gpt-tokenizer/encoding/o200k_base";
import { beforeAll, describe, expect, it } from "vitest";
import { countTokens, countTokensAtLeast, EXACT_CHARS, loadTokenizer } from "./tokenizer";

beforeAll(() => loadTokenizer());

const whole = (t: string) => wholeCount(t, { allowedSpecial: new Set(), disallowedSpecial: new Set() });

describe("countTokensAtLeast: the output floor never exceeds an honest count", () => {
  it("equals the count of ordinary text", () => {
    const text = "The quick brown fox jumps over the lazy dog. ".repeat(30);
    expect(countTokensAtLeast(text)).toBe(whole(text));
    expect(countTokensAtLeast(text)).toBe(countTokens(text));
  });

  it("is at most the whole text's o200k count, for any text: runs without spaces, JSON, base64, CJK", () => {
    const words = ["the", "  ", "\n", " ", "\t", "\r\n", "'s", ".", "Describe", "123456", "中文", "😀", "http://x.y/z?a=1", "a".repeat(300), "7".repeat(301)];
    const piece = fc.oneof(fc.string({ maxLength: 40 }), fc.base64String({ maxLength: 600 }), fc.json({ maxDepth: 3 }), fc.stringMatching(/^[一-龥]{0,300}$/), fc.constantFrom(...words));
    fc.assert(fc.property(fc.array(piece, { maxLength: 120 }), (parts) => {
      const text = parts.join("");
      expect(countTokensAtLeast(text)).toBeLessThanOrEqual(whole(text));
    }), { numRuns: 400 });
  });

  it("counts only the first EXACT_CHARS characters of a longer text, never extrapolating", () => {
    const text = "word ".repeat(EXACT_CHARS / 5 + 2000);
    const floor = countTokensAtLeast(text);
    expect(floor).toBeLessThanOrEqual(whole(text));
    expect(floor).toBeGreaterThan(EXACT_CHARS / 5 - 10);
    expect(floor).toBeLessThan(countTokens(text));
  });
});
