import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { account } from "../helpers/gateway";
import { archiveLines, deliver, planeDelivered, planeFigures, record } from "../helpers/usage-plane";
import { deletableUser, deleteMe, PASSWORD, rowsOf, spend } from "./fixtures";

const pseudonymOf = async (userId: string) =>
  (await env.DB.prepare("SELECT pseudonym, salt FROM usage_pseudonyms WHERE user_id = ?").bind(userId).first<{ pseudonym: string; salt: string }>());

// P27 for the usage archive: archived rows name a random pseudonym and a salted key reference,
// never the user or the key; deleting the account deletes the mapping, so its rows become
// anonymous without a byte of the archive being rewritten.
describe("usage archive: pseudonyms, and deletion without rewriting", () => {
  it("archived rows carry no user id or key id, and deletion unlinks them without rewriting the archive", async () => {
    const u = await deletableUser({ grantUsd: "3.00" });
    await spend(u.userId, u.key);
    await planeDelivered(u.userId);
    const mapping = await pseudonymOf(u.userId);
    expect(mapping?.pseudonym).toMatch(/^p[0-9a-z]{24}$/);
    const before = await archiveLines();
    const mine = before.flatMap((o) => o.lines).filter((l) => l.pseudonym === mapping!.pseudonym);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.key_ref).toMatch(/^[0-9a-f]{24}$/);
    const text = before.map((o) => o.text).join("");
    expect(text).not.toContain(u.userId);
    expect(text).not.toContain(u.keyId);

    const res = await deleteMe(u, { password: PASSWORD, confirm: "DELETE" });
    expect(res.status).toBe(200);
    expect(await pseudonymOf(u.userId)).toBeNull();
    // Nothing in D1 ties the pseudonym to anyone any more.
    const anywhere = await env.DB.prepare("SELECT count(*) AS n FROM usage_pseudonyms WHERE pseudonym = ?").bind(mapping!.pseudonym).first<{ n: number }>();
    expect(anywhere!.n).toBe(0);
    // The archive is byte for byte what it was.
    const after = await archiveLines();
    expect(after.filter((o) => before.some((b) => b.key === o.key)).map((o) => o.text)).toEqual(before.map((o) => o.text));
    // Rollups keep the totals under key "deleted"; statements (financial records) are kept.
    expect(await rowsOf("SELECT DISTINCT key_id FROM usage_rollups WHERE user_id = ?", u.userId)).toEqual([{ key_id: "deleted" }]);
    expect((await planeFigures(u.userId)).rollups.requests).toBe(1);
  });

  it("a deleted account's late records are archived as \"deleted\" and get no new mapping", async () => {
    const u = await deletableUser({ grantUsd: "1.00" });
    expect((await deleteMe(u, { password: PASSWORD, confirm: "DELETE" })).status).toBe(200);
    const last = (await planeFigures(u.userId)).cursor.last_batch;
    const late = record({ keyId: u.keyId });
    await deliver([{ v: 1, userId: u.userId, batch: last + 1, records: [late] }]);
    expect(await pseudonymOf(u.userId)).toBeNull();
    const line = (await archiveLines()).flatMap((o) => o.lines).find((l) => l.request_id === late.requestId);
    expect(line).toMatchObject({ pseudonym: "deleted", key_ref: "deleted" });
    expect(await rowsOf("SELECT DISTINCT key_id FROM usage_rollups WHERE user_id = ?", u.userId)).toEqual([{ key_id: "deleted" }]);
    expect((await account(u.userId).summary()).status).toBe("deleted");
  });
});
