import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { estimateChatPromptTokens } from "../../src/billing/estimate";
import { account, chat, createUser } from "../helpers/gateway";
import { expectBooksBalance, IN, OUT, USD, writeFigures } from "./support";

// Fault: the upstream accepts the request and never answers (stand-in `hang`). After
// UPSTREAM_TIMEOUT_MS (1500 in the tests) the client gets a 504 upstream_timeout; nothing is
// charged and the reservation is released. test/billing/upstream-failures.test.ts checks one request of
// each kind; this file runs several at once, checks the holds while they hang and times the 504.
const TIMEOUT_MS = Number(env.UPSTREAM_TIMEOUT_MS);
const MESSAGES = [{ role: "user", content: "Hi" }];
const PROMPT = estimateChatPromptTokens({ messages: MESSAGES });
const MAX_TOKENS = 10;
const RESERVATION = PROMPT * IN + MAX_TOKENS * OUT; // prompt estimate × 1000 + 10 × 2000 nUSD
const N = 6;

describe("fault: the upstream hangs past the timeout", () => {
  it(`${N} concurrent hanging requests (streamed and not): held while hanging, then 504 each, nothing charged, all reservations released`, async () => {
    const { userId, key } = await createUser("1.00");
    const t0 = Date.now();
    const pending = Array.from({ length: N }, (_, i) => chat(key, { model: "test-hang", messages: MESSAGES, max_tokens: MAX_TOKENS, stream: i % 2 === 1 })
      .then(async (res) => ({ res, ms: Date.now() - t0, id: res.headers.get("x-request-id"), body: (await res.json()) as { error: { code: string } } })));

    let s = await account(userId).summary();
    for (let i = 0; i < 200 && s.inFlight < N; i++) { await new Promise((r) => setTimeout(r, 10)); s = await account(userId).summary(); }
    expect(s).toMatchObject({ inFlight: N, holdsNano: N * RESERVATION, balanceNano: 1 * USD });

    const done = await Promise.all(pending);
    for (const { res, ms, body } of done) {
      expect(res.status).toBe(504);
      expect(body.error.code).toBe("upstream_timeout");
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS);
    }
    const { summary, ledger, rows } = await expectBooksBalance(userId);
    expect(summary.balanceNano).toBe(1 * USD);
    expect(summary.usageNano + 0).toBe(0);
    expect(ledger.filter((e) => e.kind === "usage")).toEqual([]);
    expect(rows).toHaveLength(N);
    for (const r of rows) expect(r).toMatchObject({ status: "upstream_error", cost_nano: 0, http_status: 504, error_code: "upstream_timeout" });
    // Each attempt (a retry on another channel counts) waits the full first-byte timeout.
    for (const d of done) expect(d.ms).toBeGreaterThanOrEqual(TIMEOUT_MS * (rows.find((r) => r.request_id === d.id)!.attempts as number));
    const ms = done.map((d) => d.ms).sort((a, b) => a - b);
    await writeFigures("upstream-timeout", {
      requests: N, timeoutMs: TIMEOUT_MS, heldWhileHangingNano: N * RESERVATION, chargedNano: 0, holdsAfterNano: summary.holdsNano,
      msTo504: { min: ms[0], max: ms.at(-1) }, attemptsPerRequest: [...new Set(rows.map((r) => r.attempts))], usageRows: rows.length,
    });
  });
});
