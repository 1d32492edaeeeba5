// Type test (checked by `tsc --noEmit`, never run): money is a branded Nano (integer nUSD), so a
// token count, a float or a figure computed with plain arithmetic cannot reach the ledger, the
// settlement or the charge rule without going through nano(), parseUsd() or costNano().
import { post } from "../../src/account/ledger";
import type { LedgerEntry, SettleInput } from "../../src/account/types";
import { chargeFor } from "../../src/lib/charge";
import { costNano, type Nano, nano, parseUsd, sumNano } from "../../src/lib/money";

declare const sql: SqlStorage;
declare const settleInput: SettleInput;
declare const entry: LedgerEntry;
const promptTokens = 1200;
const cost: Nano = costNano([[promptTokens, 150_000]]);
const overdraft: Nano = parseUsd("0.05") ?? nano(0);

export const charged: Nano = chargeFor(cost, overdraft);
// @ts-expect-error a token count is not an amount of money
chargeFor(promptTokens, overdraft);
// @ts-expect-error a USD float is not nUSD
chargeFor(cost, 0.05);

post(sql, "usr_1", { kind: "grant", amountNano: nano(5_000_000), ref: "grant:1" }, 0);
// @ts-expect-error the ledger takes Nano only
post(sql, "usr_1", { kind: "grant", amountNano: 5_000_000, ref: "grant:1" }, 0);
// @ts-expect-error a waiver's amount is Nano too
post(sql, "usr_1", { kind: "waiver", amountNano: nano(0), waivedNano: settleInput.completionTokens, ref: "r" }, 0);

// @ts-expect-error a settlement's cost cannot be a token count
export const wrongCost: SettleInput = { ...settleInput, costNano: settleInput.promptTokens };
export const rightCost: SettleInput = { ...settleInput, costNano: nano(settleInput.promptTokens * 150) };

// Plain arithmetic gives a number, which is not money until it is checked again.
// @ts-expect-error the sum of two amounts is a number
export const unchecked: Nano = entry.amountNano + entry.balanceAfterNano;
export const checked: Nano = sumNano(entry.amountNano, entry.balanceAfterNano);
// Money still reads as a number wherever a number is expected (display, comparisons).
export const display: number = entry.balanceAfterNano;
