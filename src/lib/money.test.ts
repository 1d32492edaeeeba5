import { describe, expect, it } from "vitest";
import { costNano, formatPricePerToken, formatUsd, nano, parsePricePerMillion, parseUsd, sumNano } from "./money";

describe("money: integer nano-USD", () => {
  it("parses USD decimal strings exactly", () => {
    expect(parseUsd("10.00")).toBe(10_000_000_000);
    expect(parseUsd("0.000000001")).toBe(1);
    expect(parseUsd("-1.5")).toBe(-1_500_000_000);
    expect(parseUsd("0.1")).toBe(100_000_000);
    for (const bad of ["", "1e3", "0.0000000001", "abc", "1.", ".5", "1,00", "NaN", "Infinity", "10000000000"]) expect(parseUsd(bad)).toBeNull();
  });

  it("formats nUSD with 2 to 9 decimals and round-trips", () => {
    expect(formatUsd(10_000_000_000)).toBe("10.00");
    expect(formatUsd(146_800)).toBe("0.0001468");
    expect(formatUsd(1)).toBe("0.000000001");
    expect(formatUsd(-50_000_000)).toBe("-0.05");
    for (const n of [0, 1, 99, 123_456_789, 9_007_199_254_740_991]) expect(parseUsd(formatUsd(n))).toBe(n);
    expect(() => formatUsd(0.5)).toThrow();
  });

  it("prices are µUSD per 1M tokens, shown as USD per token", () => {
    expect(parsePricePerMillion("0.10")).toBe(100_000);
    expect(parsePricePerMillion("2.50")).toBe(2_500_000);
    expect(formatPricePerToken(100_000)).toBe("0.0000001");
    expect(formatPricePerToken(2_500_000)).toBe("0.0000025");
    expect(formatPricePerToken(0)).toBe("0");
  });

  it("computes cost = Σ tokens × price / 1e6 exactly, rounding half up once", () => {
    // 16 × 0.10 + 363 × 0.40 USD per 1M tokens = 0.0001468 USD
    expect(costNano([[16, 100_000], [363, 400_000]])).toBe(146_800);
    // 0.0375 USD/Mtok = 37.5 nUSD per token: 1 token → 37.5 → 38 (half up)
    expect(costNano([[1, 37_500]])).toBe(38);
    // 0.000375 USD/Mtok = 0.375 nUSD per token: rounding happens once on the sum, not per part
    expect(costNano([[1, 375]])).toBe(0);
    expect(costNano([[1, 375], [1, 375]])).toBe(1);
    expect(costNano([[4, 375]])).toBe(2);
    // No float drift on large figures: 10M tokens × 75 USD/Mtok = 750 USD
    expect(costNano([[10_000_000, 75_000_000]])).toBe(750_000_000_000);
    expect(() => costNano([[-1, 100]])).toThrow();
    expect(() => costNano([[1.5, 100]])).toThrow();
  });
});

describe("nano(): the checked way into the Nano type", () => {
  it("keeps an integer amount and refuses a fraction, NaN or an unsafe integer", () => {
    expect(nano(-1_500)).toBe(-1_500);
    expect(sumNano(nano(1), nano(2), nano(-4))).toBe(-1);
    expect(() => nano(0.05)).toThrow(RangeError);
    expect(() => nano(Number.NaN)).toThrow(RangeError);
    expect(() => nano(2 ** 53)).toThrow(RangeError);
    expect(() => sumNano(nano(Number.MAX_SAFE_INTEGER), nano(1))).toThrow(RangeError);
  });
});
