import { describe, expect, it } from "vitest";
import { bigChanges, formFromPrices, invalidFields, isBigChange, parsePerMillion, patchBody, type Prices } from "./prices";

// gpt-4o-mini as the admin API lists it (usd_per_m).
const mini: Prices = { input: "0.15", output: "0.6", cached_input: "0.075", cache_write: null };

describe("admin price editor (issue 12 item 18)", () => {
  it("prefills the form with the listed USD-per-1M prices, cached ones included, so saving unchanged sends the same prices", () => {
    const form = formFromPrices(mini);
    expect(form).toEqual({ input: "0.15", output: "0.6", cached_input: "0.075", cache_write: "" });
    expect(bigChanges(mini, form)).toEqual([]);
    expect(patchBody(mini, form, " list price 2026-12 ")).toEqual({
      input_usd_per_m: "0.15", output_usd_per_m: "0.6", cached_input_usd_per_m: "0.075", price_source: "list price 2026-12",
    });
  });

  it("asks to confirm the audited mistake: the per-token figure 0.000001 typed as the per-1M input price", () => {
    const form = { ...formFromPrices(mini), input: "0.000001" };
    expect(invalidFields(form)).toEqual([]); // the API would accept it, so the editor must catch it
    expect(bigChanges(mini, form)).toEqual([{ field: "input", from: "0.15", to: "0.000001" }]);
  });

  it("confirms changes over 10× up or down, to or from zero, and not changes within 10×", () => {
    const p = (s: string) => parsePerMillion(s)!;
    expect(isBigChange(p("1"), p("10"))).toBe(false);
    expect(isBigChange(p("1"), p("10.000001"))).toBe(true);
    expect(isBigChange(p("1"), p("0.1"))).toBe(false);
    expect(isBigChange(p("1"), p("0.099999"))).toBe(true);
    expect(isBigChange(p("2.5"), p("0"))).toBe(true);
    expect(isBigChange(p("0"), p("0.000001"))).toBe(true);
    expect(isBigChange(p("0"), p("0"))).toBe(false);
    const form = { ...formFromPrices(mini), output: "60", cached_input: "0.0075" };
    expect(bigChanges(mini, form).map((c) => c.field)).toEqual(["output"]); // 100× up; cached 10× down is within bounds
  });

  it("compares exactly, without floating point: 0.3 vs 0.03 is 10×, not a hair over", () => {
    expect(parsePerMillion("0.3")).toBe(300_000n);
    expect(isBigChange(parsePerMillion("0.3")!, parsePerMillion("0.03")!)).toBe(false);
    expect(isBigChange(parsePerMillion("0.7")!, parsePerMillion("0.07")!)).toBe(false);
  });

  it("rejects what the API would reject and requires input and output", () => {
    expect(invalidFields({ input: "", output: "1e-6", cached_input: "-1", cache_write: "0.0000001" })).toEqual(["input", "output", "cached_input", "cache_write"]);
    expect(invalidFields({ input: "2", output: "8", cached_input: "", cache_write: "" })).toEqual([]);
  });

  it("a cleared cache price is removed, one never set stays absent", () => {
    const body = patchBody(mini, { input: "0.15", output: "0.6", cached_input: "", cache_write: "" }, "s");
    expect(body).toEqual({ input_usd_per_m: "0.15", output_usd_per_m: "0.6", cached_input_usd_per_m: null, price_source: "s" });
    expect("cache_write_usd_per_m" in body).toBe(false);
  });
});
