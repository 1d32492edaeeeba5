import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { costNano, formatUsd } from "../../src/lib/money";
import { addTestModels, TEST_PRICE } from "../helpers/catalog";
import { account, api, createUser, drained, usageRows } from "../helpers/gateway";

// Issue 12 item 1: a chained /responses request makes the provider read the whole stored
// conversation again. The stand-in's `conversation` model bills exactly that
// (test/standin/conversation.ts) and reports what it billed per `metadata.standin_account`.
// Test prices: input 1000, output 2000 nUSD per token.
const OVERDRAFT = 50_000_000; // OVERDRAFT_LIMIT_USD default
beforeAll(() => addTestModels(env, [["rc-conv", "openai", "conversation"]]));

interface Reply { status: number; id: string | null; costNano: number | null }

async function turn(key: string, account: string, body: Record<string, unknown>): Promise<Reply> {
  const res = await api("/responses", key, { method: "POST", json: { model: "rc-conv", max_output_tokens: 40, store: true, metadata: { standin_account: account }, ...body } });
  if (res.status !== 200) return { status: res.status, id: null, costNano: null };
  if (body.stream !== true) {
    const json = (await res.json()) as { id: string };
    return { status: 200, id: json.id, costNano: null };
  }
  const text = await res.text();
  const completed = text.split("\n").find((l) => l.startsWith("data: ") && l.includes('"response.completed"'));
  return { status: 200, id: (JSON.parse(completed!.slice(6)) as { response: { id: string } }).response.id, costNano: null };
}

async function standinBill(accountId: string): Promise<{ nano: number; responses: number }> {
  const res = await fetch(`${new URL(env.OPENAI_BASE_URL!).origin}/__responses/bill/${encodeURIComponent(accountId)}`);
  const b = (await res.json()) as { input_tokens: number; output_tokens: number; responses: number };
  return { nano: costNano([[b.input_tokens, TEST_PRICE.input], [b.output_tokens, TEST_PRICE.output]]), responses: b.responses };
}

/** Σ usage charges and Σ waived amounts in the wallet's ledger. */
async function ledgerTotals(userId: string) {
  const ledger = await account(userId).ledger(1000);
  const charged = -ledger.filter((e) => e.kind === "usage").reduce((a, e) => a + e.amountNano, 0);
  const waived = ledger.filter((e) => e.kind === "waiver").reduce((a, e) => a + (e.waivedNano ?? 0), 0);
  return { charged, waived, ledger };
}

describe("/responses chains: the reservation covers the stored conversation", () => {
  it("a chained request is reserved for the stored context: refused 402 when the balance cannot cover the chain", async () => {
    const { key, userId } = await createUser("0.03");
    // ~20,000 tokens of context (the stand-in counts 4 bytes per token): 0.02 USD of input.
    const first = await turn(key, userId, { input: "a".repeat(80_000) });
    expect(first.status).toBe(200);
    await drained(userId);
    const left = (await account(userId).summary()).balanceNano;
    expect(left).toBeLessThan(20_000_000); // the next turn re-reads 20,000 tokens: it cannot be covered
    const second = await api("/responses", key, { method: "POST", json: { model: "rc-conv", input: "and then?", previous_response_id: first.id, store: true } });
    expect(second.status).toBe(402);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe("insufficient_credits");
    const s = await drained(userId);
    expect(s.balanceNano).toBe(left);
  });

  it("50 concurrent chained requests: total charged = what the provider billed, within the bounded waiver", { timeout: 60_000 }, async () => {
    const { key, userId } = await createUser("0.05");
    // A conversation of three turns (each reads the whole chain again), then 50 concurrent forks of its head.
    let head = (await turn(key, userId, { input: "x".repeat(24_000) })).id!;
    for (const q of ["second?", "third?"]) {
      const r = await turn(key, userId, { input: q, previous_response_id: head });
      expect(r.status).toBe(200);
      head = r.id!;
    }
    await drained(userId);
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => turn(key, userId, { input: `fork ${i}?`, previous_response_id: head, stream: i % 2 === 0 })));
    const admitted = replies.filter((r) => r.status === 200);
    expect(admitted.length).toBeGreaterThan(0);
    expect(replies.filter((r) => r.status === 402).length).toBe(50 - admitted.length);
    const s = await drained(userId);

    const bill = await standinBill(userId);
    expect(bill.responses).toBe(3 + admitted.length);
    const { charged, waived } = await ledgerTotals(userId);
    expect(charged + waived).toBe(bill.nano);
    expect(waived).toBeLessThanOrEqual(OVERDRAFT);
    expect(s.balanceNano).toBe(50_000_000 - charged);
    expect(s.balanceNano).toBeGreaterThanOrEqual(-OVERDRAFT);
    // Every usage record is what the provider reported, and D1 agrees.
    const rows = await usageRows(userId);
    expect(rows).toHaveLength(bill.responses);
    expect(rows.reduce((a, r) => a + Number(r.cost_nano), 0)).toBe(charged);
    console.log(`responses-chain: ${admitted.length}/50 forks admitted; provider billed ${formatUsd(bill.nano)} USD; charged ${formatUsd(charged)}; waived ${formatUsd(waived)}`);

    // A streamed fork was stored too: chaining on it is reserved for (and admitted).
    const streamed = replies.find((r, i) => r.status === 200 && i % 2 === 0) ?? admitted[0]!;
    const next = await api("/responses", key, { method: "POST", json: { model: "rc-conv", input: "x", previous_response_id: streamed.id, max_output_tokens: 40 } });
    expect([200, 402]).toContain(next.status);
    expect(next.status === 402 || (await next.json() as { id: string }).id.startsWith("resp_")).toBe(true);
  });
});
