import { describe, expect, it } from "vitest";
import { api, chat, settled } from "../helpers/gateway";
import { signedInUser, type SessionUser } from "../helpers/session";

async function managementKey(u: SessionUser): Promise<string> {
  const res = await u.fetch("/api/me/management-keys", { method: "POST", json: { name: "provisioner" } });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { key: string };
  expect(body.key).toMatch(/^sk-gw-mgmt-u[0-9a-z]{20}-/);
  return body.key;
}

interface Provisioned { id: string; limit: number | null; limit_remaining: number | null; limit_reset: string | null; disabled: boolean; usage: number }

describe("the provisioning API (management keys)", () => {
  it("a management key creates, limits and deletes a key, and the key obeys each step at once", async () => {
    const u = await signedInUser("10.00");
    const mgmt = await managementKey(u);

    const created = await api("/keys", mgmt, { method: "POST", json: { name: "customer-1", limit: 0.00005, limit_reset: "daily" } });
    expect(created.status).toBe(201);
    const { data, key } = (await created.json()) as { data: Provisioned; key: string };
    expect(data).toMatchObject({ limit: 0.00005, limit_reset: "daily", disabled: false, usage: 0 });
    expect(key).toMatch(/^sk-gw-u[0-9a-z]{20}-/);

    // 11 prompt tokens × 1000 + 7 output × 2000 nUSD = 25,000 nUSD per echo request; the limit is 50,000 nUSD a day.
    expect((await chat(key, { model: "test-echo", max_tokens: 7 })).status).toBe(200);
    await settled(u.userId);
    const listed = (await (await api("/keys", mgmt)).json()) as { data: Provisioned[] };
    expect(listed.data.find((k) => k.id === data.id)).toMatchObject({ usage: 0.000025, limit_remaining: 0.000025 });

    // Raise the limit to nothing, then disable: each change applies to the next request.
    const limited = await api(`/keys/${data.id}`, mgmt, { method: "PATCH", json: { limit: 0 } });
    expect(limited.status).toBe(200);
    const refused = await chat(key, { model: "test-echo", max_tokens: 7 });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("key_spend_limit_exceeded");

    await api(`/keys/${data.id}`, mgmt, { method: "PATCH", json: { limit: null, disabled: true } });
    expect(((await (await chat(key, { model: "test-echo", max_tokens: 7 })).json()) as { error: { code: string } }).error.code).toBe("api_key_disabled");
    await api(`/keys/${data.id}`, mgmt, { method: "PATCH", json: { disabled: false } });
    expect((await chat(key, { model: "test-echo", max_tokens: 7 })).status).toBe(200);

    const deleted = await api(`/keys/${data.id}`, mgmt, { method: "DELETE" });
    expect(await deleted.json()).toEqual({ deleted: true });
    expect(((await (await chat(key, { model: "test-echo", max_tokens: 7 })).json()) as { error: { code: string } }).error.code).toBe("api_key_revoked");
  });

  it("a management key is refused on /chat/completions and every model route", async () => {
    const u = await signedInUser("10.00");
    const mgmt = await managementKey(u);
    const res = await chat(mgmt, { model: "test-echo" });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("management_key_not_allowed");
    expect((await api("/embeddings", mgmt, { method: "POST", json: { model: "test-embed", input: "x" } })).status).toBe(403);
  });

  it("an API key, a revoked management key and another wallet's key id are all refused", async () => {
    const a = await signedInUser("1.00");
    const b = await signedInUser("1.00");
    const mgmtA = await managementKey(a);
    const mgmtB = await managementKey(b);
    const apiKey = ((await (await a.fetch("/api/me/keys", { method: "POST", json: { name: "k" } })).json()) as { key: string; id: string });
    expect((await api("/keys", apiKey.key)).status).toBe(401);
    // B's management key cannot see, change or delete A's key.
    for (const init of [{}, { method: "PATCH", json: { limit: 0 } }, { method: "DELETE" }]) {
      expect((await api(`/keys/${apiKey.id}`, mgmtB, init)).status).toBe(404);
    }
    expect(((await (await api("/keys", mgmtB)).json()) as { data: unknown[] }).data).toEqual([]);
    const [listed] = ((await (await a.fetch("/api/me/management-keys")).json()) as { data: { id: string }[] }).data;
    expect((await a.fetch(`/api/me/management-keys/${listed!.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await api("/keys", mgmtA)).status).toBe(401);
  });
});
