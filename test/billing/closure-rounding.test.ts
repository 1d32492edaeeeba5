import { describe, expect, it } from "vitest";
import { refundableOnClosure, type ClosureFigures } from "../../src/account/closure";

const USD = 1_000_000_000;
const CENT = 10_000_000;

const figures = (f: Partial<ClosureFigures>): ClosureFigures => ({
  balanceNano: 0, holdsNano: 0, purchasedNano: 0, refundedNano: 0, disputedNano: 0, revokedKeys: 0, ...f,
});

describe("refundableOnClosure", () => {
  it("rounds the account-deletion refund down to whole cents", () => {
    // balance 12.345678901 USD (usage left sub-cent nUSD), 20 USD purchased: min = the balance → 12.34 USD
    expect(refundableOnClosure(figures({ balanceNano: 12_345_678_901, purchasedNano: 20 * USD }), 0)).toBe(1234 * CENT);
    // purchased 7 USD − refunded 2.005 USD − open 1 USD = 3.995 USD, below the balance → 3.99 USD
    expect(refundableOnClosure(figures({ balanceNano: 9 * USD, purchasedNano: 7 * USD, refundedNano: 2_005_000_000 }), USD)).toBe(399 * CENT);
    // less than a cent left: nothing
    expect(refundableOnClosure(figures({ balanceNano: CENT - 1, purchasedNano: USD }), 0)).toBe(0);
  });
});
