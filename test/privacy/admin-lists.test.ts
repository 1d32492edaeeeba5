import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { channelHealth } from "../../src/health/health";
import { admin, createUser } from "../helpers/gateway";

// The operator's list routes: GET /users (search + balance), /users/:id/keys, /audit, /models, /channels.

const json = async <T>(res: Response): Promise<T> => {
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
};
type UserItem = { id: string; email: string; status: string; role: string; balance_usd: string | null };

describe("GET /api/admin/users", () => {
  it("finds by email prefix and by exact id, with the balance, and pages with next_cursor", async () => {
    const tag = `lst${Date.now()}`;
    const ids: string[] = [];
    for (const credits of ["1.50", "2.00", "0"]) {
      const r = await admin("/users", { method: "POST", json: { email: `${tag}-${ids.length}@example.test` } });
      const { id } = (await r.json()) as { id: string };
      if (credits !== "0") await admin(`/users/${id}/credits`, { method: "POST", json: { amount_usd: credits } });
      ids.push(id);
    }
    const all = await json<{ data: UserItem[] }>(await admin(`/users?q=${tag}`));
    expect(all.data.map((u) => u.id).sort()).toEqual([...ids].sort());
    expect(Object.fromEntries(all.data.map((u) => [u.id, u.balance_usd]))).toEqual({ [ids[0]!]: "1.50", [ids[1]!]: "2.00", [ids[2]!]: "0.00" });
    expect(all.data.every((u) => u.status === "active" && u.role === "user")).toBe(true);

    const byId = await json<{ data: UserItem[] }>(await admin(`/users?q=${ids[1]}`));
    expect(byId.data.map((u) => u.email)).toEqual([`${tag}-1@example.test`]);
    expect((await json<{ data: UserItem[] }>(await admin(`/users?q=${tag.toUpperCase()}-2`))).data.map((u) => u.id)).toEqual([ids[2]]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: UserItem[]; next_cursor: string | null } = await json(await admin(`/users?q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ""}`));
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((u) => u.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it("rejects a malformed cursor with 400", async () => {
    expect((await admin("/users?cursor=nope")).status).toBe(400);
  });
});

describe("GET /api/admin/users/:id/keys", () => {
  it("lists the user's keys (never the key itself), revoked ones included", async () => {
    const u = await createUser("1.00");
    await admin(`/keys/${u.keyId}`, { method: "DELETE" });
    const body = await json<{ data: { id: string; revoked_at: string | null; prefix: string }[] }>(await admin(`/users/${u.userId}/keys`));
    expect(body.data.map((k) => k.id)).toEqual([u.keyId]);
    expect(body.data[0]!.revoked_at).not.toBeNull();
    expect(JSON.stringify(body)).not.toContain(u.key);
    expect((await admin("/users/u00000000000000000000/keys")).status).toBe(404);
  });
});

describe("GET /api/admin/audit", () => {
  it("newest first, filtered by target, paged", async () => {
    const u = await createUser("1.00");
    for (let i = 0; i < 3; i++) await admin(`/users/${u.userId}`);
    const first = await json<{ data: { action: string; target_user_id: string; actor: string; created_at: string }[]; next_cursor: string }>(
      await admin(`/audit?target=${u.userId}&limit=2`));
    expect(first.data.map((r) => r.action)).toEqual(["user.read", "user.read"]);
    expect(first.data.every((r) => r.target_user_id === u.userId && r.actor === "operator-token")).toBe(true);
    const rest = await json<{ data: { action: string }[] }>(await admin(`/audit?target=${u.userId}&cursor=${first.next_cursor}`));
    // createUser: user.create, credits.grant, key.create; then three reads (two on the first page).
    expect(rest.data.map((r) => r.action)).toEqual(["user.read", "key.create", "credits.grant", "user.create"]);
  });
});

describe("GET /api/admin/models and /channels", () => {
  it("lists disabled models too, with prices", async () => {
    await admin("/models/test-groq-tools", { method: "PATCH", json: { enabled: false, price_source: "test" } });
    const body = await json<{ data: { id: string; enabled: boolean; pricing: { prompt: string } }[] }>(await admin("/models"));
    expect(body.data.find((m) => m.id === "test-groq-tools")).toMatchObject({ enabled: false, pricing: { prompt: "0.000001" } });
    await admin("/models/test-groq-tools", { method: "PATCH", json: { enabled: true, price_source: "test" } });
  });

  it("shows each channel's breaker state from the health objects", async () => {
    const id = "test-error-503@openai";
    for (let i = 0; i < 6; i++) await channelHealth(env, id).report("failure");
    const body = await json<{ data: { id: string; state: string; allow: boolean; models: string[] }[] }>(await admin("/channels?model=test-error-503"));
    expect(body.data).toEqual([expect.objectContaining({ id, state: "open", allow: false, models: ["test-error-503"] })]);
    await env.HEALTH.get(env.HEALTH.idFromName(id)).reset();
  });
});
