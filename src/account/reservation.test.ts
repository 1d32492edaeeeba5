import { describe, expect, it } from "vitest";
import { MIN_OUTPUT_ALLOWANCE, planReservation } from "./reservation";

// input 1000 nUSD/token, output 2000 nUSD/token
const quote = { inputPrice: 1_000_000, outputPrice: 2_000_000, promptTokensEstimate: 100, modelMaxOutput: 1000, defaultAllowance: 4096 };

describe("planReservation", () => {
  it("with max_tokens reserves prompt + max_tokens and injects no cap", () => {
    const p = planReservation({ ...quote, requestedMaxOutput: 50 }, 10_000_000);
    expect(p).toEqual({ ok: true, amountNano: 100 * 1000 + 50 * 2000, outputAllowance: 50, outputCap: null });
  });

  it("with max_tokens refuses when the balance cannot cover it and says what is affordable", () => {
    const p = planReservation({ ...quote, requestedMaxOutput: 500 }, 300_000);
    expect(p).toEqual({ ok: false, affordableOutput: 100, neededNano: 100_000 + 1_000_000 });
  });

  it("without max_tokens and enough balance reserves the model maximum and injects no cap", () => {
    const p = planReservation({ ...quote, requestedMaxOutput: null }, 100_000_000);
    expect(p).toEqual({ ok: true, amountNano: 100_000 + 1000 * 2000, outputAllowance: 1000, outputCap: null });
  });

  it("without max_tokens shrinks the allowance to the balance and caps the upstream (no false 402)", () => {
    const p = planReservation({ ...quote, requestedMaxOutput: null }, 300_000);
    expect(p).toEqual({ ok: true, amountNano: 300_000, outputAllowance: 100, outputCap: 100 });
  });

  it("never reserves more than is available, even with rounding", () => {
    const q = { ...quote, inputPrice: 37_500, outputPrice: 37_500, requestedMaxOutput: null };
    for (const available of [1, 7, 1000, 12_345, 999_999]) {
      const p = planReservation(q, available);
      if (p.ok) expect(p.amountNano).toBeLessThanOrEqual(available);
    }
  });

  it("refuses only when fewer than the minimum output tokens are affordable", () => {
    const justEnough = 100_000 + MIN_OUTPUT_ALLOWANCE * 2000;
    expect(planReservation({ ...quote, requestedMaxOutput: null }, justEnough).ok).toBe(true);
    expect(planReservation({ ...quote, requestedMaxOutput: null }, justEnough - 1).ok).toBe(false);
    expect(planReservation({ ...quote, requestedMaxOutput: null }, 0).ok).toBe(false);
  });

  it("caps with the default allowance when the model maximum is unknown", () => {
    const p = planReservation({ ...quote, modelMaxOutput: null, requestedMaxOutput: null }, 1_000_000_000);
    expect(p).toMatchObject({ ok: true, outputAllowance: 4096, outputCap: 4096 });
  });
});
