import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AccountDO } from "../../src/account/account-do";
import { applyUsageLifecycle } from "../../src/account/usage-plane";
import { archiveUserPrefix, dayOf } from "../../src/usage/plane/archive";
import { account, admin, chat, drained } from "../helpers/gateway";
import { signedInUser, type SessionUser } from "../helpers/session";
import { drainedToD1 } from "../helpers/usage-plane";
import { sessionKey } from "./support";

// Issue 14 item 1, "a user sees no difference": the wallet keeps raw usage records for the recent
// window only; older ones live in the R2 archive under the user's pseudonym. The usage export and
// the request log read both tiers, so after the records leave the wallet they list what they did before.
const DAY = 86_400_000;

async function exported(u: SessionUser, query = ""): Promise<Record<string, unknown>[]> {
  const res = await u.fetch(`/api/me/export/usage?format=json${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>[];
}

async function recentRecords(userId: string): Promise<number> {
  const read = await account(userId).read({ kind: "counts" });
  return read.kind === "counts" ? read.records : -1;
}

/** The wallet's alarm, run as if `days` had passed: records created before the recent window leave it. */
async function ageWallet(userId: string, days: number): Promise<void> {
  await runInDurableObject(account(userId), (_: AccountDO, state) => {
    applyUsageLifecycle(state.storage.sql, Date.now() + days * DAY, { recentMs: 30 * DAY, d1Mirror: false });
  });
}

describe("the usage export reads the archive for records older than the wallet's recent tier", () => {
  it("after the records leave the wallet, the export lists the same records, every field, by key id, once each", async () => {
    const u = await signedInUser("5.00");
    const k1 = await sessionKey(u);
    const k2 = await sessionKey(u);
    for (const [key, model] of [[k1.key, "test-echo"], [k2.key, "test-echo"], [k1.key, "test-error-400"], [k2.key, "test-echo"]] as const) {
      const res = await chat(key, { model });
      await res.arrayBuffer();
    }
    await drainedToD1(u.userId);
    const before = await exported(u);
    expect(before).toHaveLength(4);
    // The archive holds them under the user's own prefix, named by pseudonym, never by user id.
    const objects = await env.USAGE_ARCHIVE.list({ prefix: `usage/dt=${dayOf(Date.now())}/` });
    expect(objects.objects.some((o) => o.key.includes(u.userId))).toBe(false);

    await ageWallet(u.userId, 31);
    expect(await recentRecords(u.userId)).toBe(0);
    expect(await exported(u)).toEqual(before);
    // The operator's view of the user's usage reads the same tiers, newest first.
    const adminView = await admin(`/users/${u.userId}/usage?limit=3`);
    const page1 = (await adminView.json()) as { data: { id: string }[]; next_before: number | null };
    const page2 = (await (await admin(`/users/${u.userId}/usage?limit=3&before=${page1.next_before}`)).json()) as { data: { id: string }[] };
    expect([...page1.data, ...page2.data].map((r) => r.id)).toEqual(before.map((r) => r.request_id).reverse());
    // Filters apply to the archived part as to the recent one.
    const from = new Date(Date.now() - DAY).toISOString();
    expect(await exported(u, `&from=${encodeURIComponent(from)}`)).toEqual(before);
    expect(await exported(u, `&to=${encodeURIComponent(from)}`)).toEqual([]);
  });

  it("a record still in the wallet (sent late) and in the archive is listed once; newer records follow the archived ones", async () => {
    const u = await signedInUser("5.00");
    const k = await sessionKey(u);
    for (let i = 0; i < 2; i++) await (await chat(k.key, { model: "test-echo" })).arrayBuffer();
    await drainedToD1(u.userId);
    const all = await exported(u);
    // The edge moves past both records, but one of them is put back as if its settlement came late.
    const kept = await runInDurableObject(account(u.userId), (_: AccountDO, state) => {
      const sql = state.storage.sql;
      const row = sql.exec<{ request_id: string; batch: number; sent_at: number; charged_nano: number; payload: string }>(
        "SELECT request_id, batch, sent_at, charged_nano, payload FROM usage_pending ORDER BY seq LIMIT 1").one();
      applyUsageLifecycle(sql, Date.now() + 31 * DAY, { recentMs: 30 * DAY, d1Mirror: false });
      sql.exec("INSERT INTO usage_pending (request_id, batch, sent_at, charged_nano, payload) VALUES (?, ?, ?, ?, ?)", row.request_id, row.batch, row.sent_at, row.charged_nano, row.payload);
      return row.request_id;
    });
    expect(await recentRecords(u.userId)).toBe(1);
    const after = await exported(u);
    expect(after.map((r) => r.request_id).sort()).toEqual(all.map((r) => r.request_id).sort());
    expect(after.at(-1)!.request_id).toBe(kept);
  });

  it("another user's archived records never appear, and a deleted pseudonym mapping leaves nothing to read (P27)", async () => {
    const a = await signedInUser("5.00");
    const b = await signedInUser("5.00");
    for (const u of [a, b]) {
      const k = await sessionKey(u);
      await (await chat(k.key, { model: "test-echo" })).arrayBuffer();
      await drainedToD1(u.userId);
      await ageWallet(u.userId, 31);
    }
    const mine = await exported(a);
    expect(mine).toHaveLength(1);
    expect((await exported(b)).map((r) => r.request_id)).not.toContain(mine[0]!.request_id);
    const p = await env.DB.prepare("SELECT pseudonym FROM usage_pseudonyms WHERE user_id = ?").bind(a.userId).first<{ pseudonym: string }>();
    expect((await env.USAGE_ARCHIVE.list({ prefix: archiveUserPrefix(dayOf(Date.now()), p!.pseudonym) })).objects.length).toBeGreaterThan(0);
    await env.DB.prepare("DELETE FROM usage_pseudonyms WHERE user_id = ?").bind(a.userId).run();
    expect(await exported(a)).toEqual([]);
  });

  it("the request log pages newest first across the wallet's records and the archive, each record once, filters applied", async () => {
    const u = await signedInUser("5.00");
    const k1 = await sessionKey(u);
    const k2 = await sessionKey(u);
    for (let i = 0; i < 5; i++) await (await chat((i % 2 ? k2 : k1).key, { model: "test-echo" })).arrayBuffer();
    await drainedToD1(u.userId);
    await ageWallet(u.userId, 31);
    // Two newer records stay in the wallet.
    for (let i = 0; i < 2; i++) await (await chat(k1.key, { model: "test-echo" })).arrayBuffer();
    await drained(u.userId);
    expect(await recentRecords(u.userId)).toBe(2);
    const rows = await exported(u);
    const exportedIds = rows.map((r) => r.request_id as string);
    expect(exportedIds).toHaveLength(7);

    const walk = async (query: string, limit: number) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await u.fetch(`/api/me/usage?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { data: { id: string; key_id: string }[]; next_cursor: string | null };
        ids.push(...body.data.map((r) => r.id));
        cursor = body.next_cursor;
      } while (cursor);
      return ids;
    };
    for (const limit of [1, 2, 3, 50]) expect(await walk("", limit), `limit ${limit}`).toEqual([...exportedIds].reverse());
    const byKey2 = rows.filter((r) => r.key_id === k2.id).map((r) => r.request_id as string);
    expect(byKey2).toHaveLength(2);
    expect(await walk(`&key_id=${k2.id}`, 1)).toEqual([...byKey2].reverse());
  });
});
