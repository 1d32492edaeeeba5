import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AccountDO } from "../../src/account/account-do";
import { estimateChatPromptTokens } from "../../src/billing/estimate";
import { nano } from "../../src/lib/money";
import { addTestModels } from "../helpers/catalog";
import { account, chat, createUser, usageRows } from "../helpers/gateway";
import { expectBooksBalance, IN, OUT, readThenDisconnect, sseData, USD, writeFigures } from "./support";

// Fault: the user's Durable Object restarts while a request is in flight. Its SQLite storage
// (balance, the open reservation, the alarm) survives; its memory does not. The reservation must
// expire through the alarm and money must be conserved: the late settlement from the worker that
// admitted the request (it still holds the old stub) charges at most once, never twice.
// The TTL is RESERVATION_TTL_SECONDS (900 s by default); rather than wait, the test moves the
// reservation's expiry to now, as if the TTL had passed, and runs the alarm.
const MESSAGES = [{ role: "user", content: "Hi" }];
const PROMPT = estimateChatPromptTokens({ messages: MESSAGES });
const PACED_CHUNKS = 40;
// paced:<ttft>:<n>:<gap>: the stand-in reports 20 prompt and n completion tokens at the end.
const PACED_COST = 20 * IN + PACED_CHUNKS * OUT; // 20 × 1000 + 40 × 2000 = 100,000 nUSD

const stubOf = (userId: string) => account(userId) as DurableObjectStub<AccountDO>;

async function waitInFlight(userId: string, n: number) {
  for (let i = 0; i < 200 && (await account(userId).summary()).inFlight !== n; i++) await new Promise((r) => setTimeout(r, 10));
  return account(userId).summary();
}

/** Moves every open reservation's expiry to now (the TTL "passed") and runs the alarm. */
async function expireNow(userId: string) {
  await runInDurableObject(stubOf(userId), (_i: AccountDO, state) => {
    state.storage.sql.exec("UPDATE requests SET expires_at = ? WHERE state = 'reserved'", Date.now());
  });
  return runDurableObjectAlarm(account(userId));
}

const requestState = (userId: string, id: string) => runInDurableObject(stubOf(userId), (_i: AccountDO, state) =>
  state.storage.sql.exec<{ state: string; charged_nano: number }>("SELECT state, charged_nano FROM requests WHERE request_id = ?", id).one());

describe("fault: the Durable Object restarts mid-request", () => {
  it("crash (ctx.abort) while the upstream hangs: the alarm expires the reservation, the late 504 settlement charges nothing", async () => {
    const { userId, key } = await createUser("1.00");
    const pending = chat(key, { model: "test-hang", messages: MESSAGES, max_tokens: 10 });
    const during = await waitInFlight(userId, 1);
    const reserved = PROMPT * IN + 10 * OUT; // the reservation: prompt estimate + max_tokens of output
    expect(during).toMatchObject({ inFlight: 1, holdsNano: reserved, balanceNano: 1 * USD });

    const t0 = Date.now();
    await expect(runInDurableObject(stubOf(userId), (_i: AccountDO, state) => state.abort("reliability test: crash"))).rejects.toThrow();
    const afterCrash = await account(userId).summary();
    expect(afterCrash).toMatchObject({ inFlight: 1, holdsNano: reserved, balanceNano: 1 * USD }); // storage survived
    expect(await expireNow(userId)).toBe(true);
    expect(await account(userId).summary()).toMatchObject({ inFlight: 0, holdsNano: 0, balanceNano: 1 * USD });

    const res = await pending; // the worker's upstream timeout fires after UPSTREAM_TIMEOUT_MS
    expect(res.status).toBe(504);
    const id = res.headers.get("x-request-id")!;
    await res.text();
    // Its settlement (cost 0) may arrive through the old stub; either way nothing is charged.
    await new Promise((r) => setTimeout(r, 200));
    const { summary, ledger, rows } = await expectBooksBalance(userId);
    expect(summary.balanceNano).toBe(1 * USD);
    expect(ledger.filter((e) => e.kind === "usage")).toEqual([]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ request_id: id, cost_nano: 0 });
    await writeFigures("do-restart-hang", {
      reservedNano: reserved, chargedNano: 0, balanceNano: summary.balanceNano, usageRows: rows.length,
      usageStatus: rows[0]!.status, msFromCrashTo504: Date.now() - t0,
    });
  });

  // evict: a graceful restart (deploy, idle eviction); abort: a crash (ctx.abort(), an exceeded limit).
  for (const kind of ["evict", "abort"] as const) it(`restart (${kind}) mid-stream, reservation expired by the alarm: the stream completes and its late settlement charges exactly once`, async () => {
    await addTestModels(env, [["test-rel-restart-paced", "openai", `paced:0:${PACED_CHUNKS}:30`]]);
    const { userId, key } = await createUser("1.00");
    const res = await chat(key, { model: "test-rel-restart-paced", messages: MESSAGES, max_tokens: 100, stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    const id = res.headers.get("x-request-id")!;
    const reader = res.body!.getReader();
    const first = await reader.read(); // the stream is running
    expect(first.done).toBe(false);

    if (kind === "evict") await evictDurableObject(stubOf(userId));
    else await expect(runInDurableObject(stubOf(userId), (_i: AccountDO, state) => state.abort("reliability test: crash"))).rejects.toThrow();
    expect(await expireNow(userId)).toBe(true);
    const expired = await account(userId).summary();
    expect(expired).toMatchObject({ inFlight: 0, holdsNano: 0, balanceNano: 1 * USD });
    expect(await requestState(userId, id)).toMatchObject({ state: "expired", charged_nano: 0 });

    let text = new TextDecoder().decode(first.value);
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += new TextDecoder().decode(r.value);
    expect(sseData(text).events.at(-1)).toBe("[DONE]");
    // The settlement runs after the response (retried for up to 5 s): wait for the expired request to become settled.
    let st = await requestState(userId, id);
    for (let i = 0; i < 120 && st.state !== "settled"; i++) { await new Promise((r) => setTimeout(r, 50)); st = await requestState(userId, id); }
    expect(st).toEqual({ state: "settled", charged_nano: PACED_COST });

    // A repeated settlement (a retry after a lost reply) is a no-op.
    const again = await account(userId).settle({
      requestId: id, keyId: (await account(userId).listKeys())[0]!.id, model: "test-rel-restart-paced", provider: "openai", attempts: 1,
      endpoint: "chat", stream: true, startedAt: Date.now(), latencyMs: 0, status: "success", httpStatus: 200, errorCode: null,
      promptTokens: 20, completionTokens: PACED_CHUNKS, cachedTokens: 0, reasoningTokens: 0, costNano: nano(PACED_COST), usageSource: "upstream", overdraftNano: nano(50_000_000),
    });
    expect(again).toMatchObject({ duplicate: true, chargedNano: PACED_COST });

    const { summary, ledger, rows } = await expectBooksBalance(userId);
    expect(summary.balanceNano).toBe(1 * USD - PACED_COST);
    expect(ledger.filter((e) => e.kind === "usage").map((e) => [e.ref, e.amountNano])).toEqual([[id, -PACED_COST]]);
    expect(rows).toHaveLength(1); // the "expired" record was replaced by the real one
    expect(rows[0]).toMatchObject({ request_id: id, status: "success", cost_nano: PACED_COST, completion_tokens: PACED_CHUNKS });
    expect(await usageRows(userId)).toHaveLength(1);
    await writeFigures(`do-restart-stream-${kind}`, {
      streamedChunks: PACED_CHUNKS, chargedNano: PACED_COST, settlements: 2, duplicateSettlements: 1, usageRows: rows.length,
      balanceNano: summary.balanceNano, expectedBalanceNano: 1 * USD - PACED_COST,
    });
  });
});
