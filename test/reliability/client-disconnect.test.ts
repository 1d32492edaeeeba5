import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { estimateChatPromptTokens } from "../../src/billing/estimate";
import { addTestModels } from "../helpers/catalog";
import { chat, createUser } from "../helpers/gateway";
import { expectBooksBalance, IN, OUT, readThenDisconnect, USD, writeFigures } from "./support";

// Fault: the client disconnects after k chunks of a stream. The stand-in's paced scenario sends
// n "tok " chunks gap ms apart and reports usage only at the end, so at the disconnect the gateway
// has no usage from the provider: it charges its prompt estimate and the output it relayed
// (max(ceil(chars / 4), chunks) = one token per chunk). Exactly one usage record; never 0, never
// the full reservation.
const MESSAGES = [{ role: "user", content: "Tell me a story." }];
const PROMPT = estimateChatPromptTokens({ messages: MESSAGES });
const CHUNKS = 200;
const MAX_OUTPUT = 1000; // the test models' max_output_tokens: the reservation without max_tokens
const RESERVED = PROMPT * IN + MAX_OUTPUT * OUT;
const FULL = 20 * IN + CHUNKS * OUT; // what the whole stream would cost: 20 prompt + 200 completion tokens
/** Chunks the gateway may have relayed beyond what the client read before its cancel reached it. */
const READ_AHEAD = 3;
const figures: Record<string, unknown> = {};

describe("fault: the client disconnects after k chunks", () => {
  beforeAll(() => addTestModels(env, [["test-rel-paced", "openai", `paced:0:${CHUNKS}:20`]]));

  for (const k of [1, 3, 10]) {
    it(`k = ${k}: one usage record (client_disconnected), charged prompt estimate + the chunks relayed; > 0 and < the reservation`, async () => {
      const { userId, key } = await createUser("10.00");
      const res = await chat(key, { model: "test-rel-paced", messages: MESSAGES, stream: true, stream_options: { include_usage: true } });
      expect(res.status).toBe(200);
      const id = res.headers.get("x-request-id")!;
      const seen = await readThenDisconnect(res, k);
      expect(seen).toMatchObject({ chunks: k, chars: 4 * k, sawDone: false });

      const { summary, ledger, rows } = await expectBooksBalance(userId);
      expect(rows).toHaveLength(1);
      const row = rows[0]!;
      expect(row).toMatchObject({ request_id: id, status: "client_disconnected", usage_source: "estimated", prompt_tokens: PROMPT, stream: 1 });
      const completion = row.completion_tokens as number;
      expect(completion).toBeGreaterThanOrEqual(k);
      expect(completion).toBeLessThanOrEqual(k + READ_AHEAD);
      const charged = PROMPT * IN + completion * OUT;
      expect(row.cost_nano).toBe(charged);
      expect(charged).toBeGreaterThan(0);
      expect(charged).toBeLessThan(RESERVED);
      expect(charged).toBeLessThan(FULL);
      expect(summary.balanceNano).toBe(10 * USD - charged);
      expect(ledger.filter((e) => e.kind === "usage").map((e) => [e.ref, e.amountNano])).toEqual([[id, -charged]]);
      figures[`k${k}`] = { chunksRead: k, completionBilled: completion, chargedNano: charged, reservedNano: RESERVED, fullStreamNano: FULL };
      await writeFigures("client-disconnect", figures);
    });
  }
});
