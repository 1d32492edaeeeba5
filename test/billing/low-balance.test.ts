import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AccountDO } from "../../src/account/account-do";
import { flushBatch } from "../../src/account/outbox";
import { formatUsd } from "../../src/lib/money";
import { account, chat, settled } from "../helpers/gateway";
import { signedInUser, type SessionUser } from "../helpers/session";
import { ECHO_COST, USD, echo, keyFor, lowBalanceEmails, operatorCredit } from "./ledger-helpers";

async function setThreshold(user: SessionUser, threshold_usd: string | null) {
  const res = await user.fetch("/api/billing/low-balance", { method: "PUT", json: { threshold_usd } });
  expect(res.status).toBe(204);
}

async function emails(userId: string) {
  await account(userId).flushOutbox();
  return lowBalanceEmails(userId);
}

describe("low-balance email: one per crossing below the threshold", () => {
  it("crossing → 1; more spending below → still 1; back above and crossing again → 2", async () => {
    const user = await signedInUser("1.00");
    const { key } = await keyFor(user.userId);
    const threshold = USD - ECHO_COST + 5_000; // the first echo request (25,000 nUSD) crosses it
    await setThreshold(user, formatUsd(threshold));
    const row = await env.DB.prepare("SELECT low_balance_threshold_nano AS t FROM users WHERE id = ?").bind(user.userId).first<{ t: number }>();
    expect(row!.t).toBe(threshold);
    expect(await emails(user.userId)).toHaveLength(0);

    await echo(user.userId, key); // 1.00 → 0.999975 < threshold
    const first = await emails(user.userId);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ to_address: user.email, template: "low_balance" });
    expect(JSON.parse(first[0]!.data)).toEqual({ balance_usd: formatUsd(USD - ECHO_COST), threshold_usd: formatUsd(threshold) });

    await echo(user.userId, key); // further below: no new email
    await echo(user.userId, key);
    expect(await emails(user.userId)).toHaveLength(1);

    // Top up to just above the threshold (re-armed), then one request crosses again.
    const balance = USD - 3 * ECHO_COST;
    await operatorCredit(user.userId, formatUsd(threshold + 1_000 - balance));
    expect((await account(user.userId).summary()).balanceNano).toBe(threshold + 1_000);
    await echo(user.userId, key);
    const second = await emails(user.userId);
    expect(second).toHaveLength(2);
    expect(JSON.parse(second[1]!.data)).toEqual({ balance_usd: formatUsd(threshold + 1_000 - ECHO_COST), threshold_usd: formatUsd(threshold) });
  });

  it("concurrent requests that cross together send exactly one email", async () => {
    const user = await signedInUser("1.00");
    const { key } = await keyFor(user.userId);
    const threshold = USD - 2 * ECHO_COST - 10_000; // the third of five charges crosses it
    await setThreshold(user, formatUsd(threshold));
    const responses = await Promise.all(Array.from({ length: 5 }, () => chat(key, { model: "test-echo" })));
    for (const r of responses) {
      expect(r.status).toBe(200);
      await r.arrayBuffer();
    }
    await settled(user.userId);
    expect((await account(user.userId).summary()).balanceNano).toBe(USD - 5 * ECHO_COST);
    const sent = await emails(user.userId);
    expect(sent).toHaveLength(1);
    // Every charge is the same, so whichever settled third crossed: balance after three charges.
    expect(JSON.parse(sent[0]!.data).balance_usd).toBe(formatUsd(USD - 3 * ECHO_COST));
  });

  it("a threshold set above the current balance sends nothing until the balance rises and falls again", async () => {
    const user = await signedInUser("1.00");
    const { key } = await keyFor(user.userId);
    await setThreshold(user, "2.00");
    await echo(user.userId, key);
    expect(await emails(user.userId)).toHaveLength(0);
    await operatorCredit(user.userId, formatUsd(2 * USD - (USD - ECHO_COST))); // exactly 2.00: at the threshold, armed
    await echo(user.userId, key);
    expect(await emails(user.userId)).toHaveLength(1);
  });

  it("null clears the threshold: no more emails", async () => {
    const user = await signedInUser("1.00");
    const { key } = await keyFor(user.userId);
    await setThreshold(user, formatUsd(USD - 1));
    await setThreshold(user, null);
    const row = await env.DB.prepare("SELECT low_balance_threshold_nano AS t FROM users WHERE id = ?").bind(user.userId).first<{ t: number | null }>();
    expect(row!.t).toBeNull();
    await echo(user.userId, key);
    expect(await emails(user.userId)).toHaveLength(0);
  });

  it("a retried outbox delivery inserts the email once (deterministic id)", async () => {
    const user = await signedInUser("1.00");
    await setThreshold(user, "0.50");
    const stub = account(user.userId);
    await stub.credit(user.userId, { kind: "adjustment", amountNano: -0.6 * USD, ref: "drop-below" });
    await runInDurableObject(stub, async (_: AccountDO, state) => {
      const sql = state.storage.sql;
      // Deliver the same low_balance item twice, as after a lost D1 acknowledgement.
      sql.exec("INSERT INTO outbox (kind, ref, payload, created_at) SELECT kind, ref, payload, created_at FROM outbox WHERE kind = 'low_balance'");
      expect(sql.exec("SELECT count(*) AS n FROM outbox WHERE kind = 'low_balance'").one().n).toBe(2);
      while (await flushBatch(sql, env.DB) > 0);
    });
    const sent = await lowBalanceEmails(user.userId);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!.data)).toEqual({ balance_usd: formatUsd(0.4 * USD), threshold_usd: "0.50" });
  });

  it("refuses malformed thresholds", async () => {
    const user = await signedInUser("1.00");
    for (const json of [{ threshold_usd: "-1.00" }, { threshold_usd: "ten" }, { threshold_usd: 5 }, {}, { threshold_usd: "1.00", extra: 1 }, { threshold_usd: "2000000.00" }]) {
      const res = await user.fetch("/api/billing/low-balance", { method: "PUT", json });
      expect(res.status, JSON.stringify(json)).toBe(400);
    }
    const noCsrf = await user.fetch("/api/billing/low-balance", { method: "PUT", json: { threshold_usd: "1.00" }, headers: { "x-csrf-token": "wrong" } });
    expect(noCsrf.status).toBe(403);
  });
});
