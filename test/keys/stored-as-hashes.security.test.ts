import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/api-key";
import { account, admin, chat, createUser, drained, usageRows } from "../helpers/gateway";

async function allD1Text(): Promise<string> {
  const { results: tables } = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").all<{ name: string }>();
  let text = "";
  for (const { name } of tables) {
    const { results } = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
    text += JSON.stringify(results);
  }
  return text;
}

async function allDurableObjectText(userId: string): Promise<string> {
  return runInDurableObject(account(userId), (_, state) => {
    const sql = state.storage.sql;
    const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").toArray();
    return tables.map(({ name }) => JSON.stringify(sql.exec(`SELECT * FROM "${name}"`).toArray())).join("");
  });
}

// P12 (shown once, stored only as a SHA-256 hash) and P13 (usage references the key by id).
describe("API keys are stored only as hashes", () => {
  it("the key and its secret part appear in no D1 table and no Durable Object table; the hash does", async () => {
    const { key, keyId, userId } = await createUser("1.00");
    expect(key).toMatch(/^sk-gw-u[0-9a-z]{20}-[A-Za-z0-9_-]{43}$/);
    expect((await chat(key, { model: "test-echo" })).status).toBe(200);
    await drained(userId);
    const secret = key.slice(-43);
    const d1 = await allD1Text();
    const dobj = await allDurableObjectText(userId);
    for (const text of [d1, dobj]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(secret);
      expect(text).toContain(await sha256Hex(key));
    }
    const row = await env.DB.prepare("SELECT key_hash, prefix, last4 FROM api_keys WHERE id = ?").bind(keyId).first<{ key_hash: string; prefix: string; last4: string }>();
    expect(row).toEqual({ key_hash: await sha256Hex(key), prefix: key.slice(0, 12), last4: key.slice(-4) });
  });

  it("usage records name the key by id only", async () => {
    const { key, keyId, userId } = await createUser("1.00");
    await chat(key, { model: "test-echo" });
    await drained(userId);
    const rows = await usageRows(userId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key_id).toBe(keyId);
    expect(JSON.stringify(rows)).not.toContain(key.slice(-43));
  });

  it("the key is shown once: no operator route returns it again", async () => {
    const { key, userId } = await createUser("1.00");
    for (const path of [`/users/${userId}`, `/users/${userId}/usage`]) {
      const res = await admin(path);
      expect(res.status).toBe(200);
      expect(await res.text()).not.toContain(key.slice(-43));
    }
  });

  it("two keys of one user are independent: revoking one leaves the other working", async () => {
    const { key, userId } = await createUser("1.00");
    const second = await admin(`/users/${userId}/keys`, { method: "POST", json: { name: "second" } });
    const { id: secondId, key: secondKey } = (await second.json()) as { id: string; key: string };
    expect((await admin(`/keys/${secondId}`, { method: "DELETE" })).status).toBe(200);
    expect((await chat(secondKey, { model: "test-echo" })).status).toBe(401);
    expect((await chat(key, { model: "test-echo" })).status).toBe(200);
  });
});
