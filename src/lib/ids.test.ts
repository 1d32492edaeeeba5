import { afterEach, describe, expect, it, vi } from "vitest";
import { newId } from "./ids";

afterEach(() => vi.restoreAllMocks());

describe("newId", () => {
  it("is the prefix, 10 base36 characters of the time and 12 random characters", () => {
    expect(newId("gen-", 1_796_000_000_000)).toMatch(/^gen-[0-9a-z]{10}[0-9a-z]{12}$/);
    expect(newId("txn_", 1_796_000_000_000).slice(4, 14)).toBe((1_796_000_000_000).toString(36).padStart(10, "0"));
  });

  it("draws its random characters from the CSPRNG a kilobyte at a time, and never repeats across many ids", () => {
    const spy = vi.spyOn(crypto, "getRandomValues");
    const ids = Array.from({ length: 1000 }, () => newId("x", 0));
    expect(new Set(ids).size).toBe(1000);
    // 1,000 ids × 12 characters (plus a few rejected bytes) need 12-13 KiB: about 13 calls, not 1,000.
    expect(spy.mock.calls.length).toBeGreaterThanOrEqual(11);
    expect(spy.mock.calls.length).toBeLessThanOrEqual(14);
  });

  it("uses every character of [0-9a-z] about equally often", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) for (const ch of newId("", 0).slice(10)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(36);
    // 36,000 characters: 1,000 expected per character; ±25 % is far outside chance for a uniform draw.
    for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(250);
  });
});
