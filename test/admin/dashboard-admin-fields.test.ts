import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { addTestModels } from "../helpers/catalog";
import { admin, BASE, createUser } from "../helpers/gateway";
import { signedInUser } from "../helpers/session";

// Fields the admin screens of the dashboard need from the operator API (issue 12, items 18 and 20).

type Detail = { id: string; role?: string };
const detail = async (id: string) => (await (await admin(`/users/${id}`)).json()) as Detail;

describe("GET /api/admin/users/:id", () => {
  it("includes the user's role, so the detail shows an admin as admin and the UI can demote them", async () => {
    const { userId } = await createUser("0");
    expect((await detail(userId)).role).toBe("user");
    expect((await admin(`/users/${userId}/role`, { method: "PATCH", json: { role: "admin" } })).status).toBe(200);
    expect((await detail(userId)).role).toBe("admin");
    expect((await admin(`/users/${userId}/role`, { method: "PATCH", json: { role: "user" } })).status).toBe(200);
    expect((await detail(userId)).role).toBe("user");
  });

  it("an admin session sees another admin's role as admin", async () => {
    const a = await signedInUser("0", { role: "admin" });
    const b = await signedInUser("0", { role: "admin" });
    const res = await a.fetch(`/api/admin/users/${b.userId}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Detail).role).toBe("admin");
  });
});

type AdminModel = { id: string; pricing: Record<string, string | null>; usd_per_m: Record<string, string | null> };

describe("GET /api/admin/models: prices in the unit the editor sends back", () => {
  beforeAll(() => addTestModels(env, [["adm-per-m", "openai", "echo"]]));

  it("lists every price, cached ones included, as USD per 1M tokens next to the per-token figures", async () => {
    const patch = await admin("/models/adm-per-m", {
      method: "PATCH", json: { input_usd_per_m: "0.15", output_usd_per_m: "0.6", cached_input_usd_per_m: "0.075", cache_write_usd_per_m: "0.1875", price_source: "test" },
    });
    expect(patch.status).toBe(200);
    expect(((await patch.json()) as AdminModel).usd_per_m).toEqual({ input: "0.15", output: "0.6", cached_input: "0.075", cache_write: "0.1875" });
    const list = (await (await admin("/models")).json()) as { data: AdminModel[] };
    const m = list.data.find((r) => r.id === "adm-per-m")!;
    expect(m.usd_per_m).toEqual({ input: "0.15", output: "0.6", cached_input: "0.075", cache_write: "0.1875" });
    expect(m.pricing).toMatchObject({ prompt: "0.00000015", completion: "0.0000006" });
    // Sending the listed figures back unchanged leaves the prices unchanged.
    const same = await admin("/models/adm-per-m", {
      method: "PATCH", json: { input_usd_per_m: m.usd_per_m.input, output_usd_per_m: m.usd_per_m.output, cached_input_usd_per_m: m.usd_per_m.cached_input, price_source: "test" },
    });
    expect(((await same.json()) as AdminModel).pricing).toEqual(m.pricing);
  });

  it("shows whole and absent prices exactly: 2 USD, 0 USD, no cache price", async () => {
    await admin("/models/adm-per-m", { method: "PATCH", json: { input_usd_per_m: "2", output_usd_per_m: "0", cached_input_usd_per_m: null, cache_write_usd_per_m: null, price_source: "test" } });
    const list = (await (await admin("/models")).json()) as { data: AdminModel[] };
    expect(list.data.find((r) => r.id === "adm-per-m")!.usd_per_m).toEqual({ input: "2", output: "0", cached_input: null, cache_write: null });
  });
});

type Listed = { id: string; available?: boolean; object: string; pricing: { prompt: string } };

describe("GET /api/v1/models: which models this gateway can serve", () => {
  it("marks a model whose provider has no key as unavailable and configured ones as available, keeping OpenAI's list shape", async () => {
    const res = await SELF.fetch(`${BASE}/api/v1/models`);
    const body = (await res.json()) as { object: string; data: Listed[] };
    expect(body.object).toBe("list");
    const byId = new Map(body.data.map((m) => [m.id, m]));
    expect(byId.get("test-unconfigured")!.available).toBe(false);
    expect(byId.get("test-echo")!.available).toBe(true);
    expect(byId.get("test-claude-echo")!.available).toBe(true);
    expect(byId.get("test-echo")).toMatchObject({ object: "model", pricing: { prompt: "0.000001" } });
    for (const m of body.data) expect(typeof m.available).toBe("boolean");
  });

  it("says the same for one model", async () => {
    const one = (await (await SELF.fetch(`${BASE}/api/v1/models/test-unconfigured`)).json()) as Listed;
    expect(one.available).toBe(false);
    expect(((await (await SELF.fetch(`${BASE}/api/v1/models/test-echo`)).json()) as Listed).available).toBe(true);
  });
});
