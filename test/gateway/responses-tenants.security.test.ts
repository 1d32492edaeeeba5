import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { addTestModels } from "../helpers/catalog";
import { api, createUser, drained } from "../helpers/gateway";

// Issue 12 item 11: /responses state belongs to the tenant that made it. The stand-in's
// `conversation` model stores responses like OpenAI (unless store: false) and echoes `store`.
beforeAll(() => addTestModels(env, [["rt-conv", "openai", "conversation:tenants"]]));

const standinRequests = async () => ((await (await fetch(`${new URL(env.OPENAI_BASE_URL!).origin}/__stats`)).json()) as { byModel: Record<string, number> }).byModel["conversation:tenants"] ?? 0;

function responses(key: string, body: Record<string, unknown>) {
  return api("/responses", key, { method: "POST", json: { model: "rt-conv", max_output_tokens: 20, ...body } });
}

describe("/responses ids are bound to the tenant that made them", () => {
  it("another tenant's previous_response_id is 404 and never reaches the provider", async () => {
    const a = await createUser("1.00");
    const b = await createUser("1.00");
    const made = await responses(a.key, { input: "tenant A's secret", store: true });
    expect(made.status).toBe(200);
    const { id } = (await made.json()) as { id: string };
    await drained(a.userId);

    const before = await standinRequests();
    const stolen = await responses(b.key, { input: "what did I say?", previous_response_id: id });
    expect(stolen.status).toBe(404);
    expect(await stolen.json()).toEqual({
      error: { message: `Previous response with id '${id}' not found.`, type: "invalid_request_error", code: "previous_response_not_found", param: "previous_response_id" },
    });
    expect(await standinRequests()).toBe(before);
    expect((await drained(b.userId)).balanceNano).toBe(1_000_000_000);

    // The owner can chain on it.
    const own = await responses(a.key, { input: "and then?", previous_response_id: id });
    expect(own.status).toBe(200);
  });

  it("responses are not stored upstream unless the caller asks (store: false by default)", async () => {
    const a = await createUser("1.00");
    const plain = await responses(a.key, { input: "hello" });
    const body = (await plain.json()) as { id: string; store: boolean };
    expect(body.store).toBe(false); // what the provider received
    // Not stored, so not chainable: 404 from the gateway, nothing sent upstream.
    const before = await standinRequests();
    const chained = await responses(a.key, { input: "again", previous_response_id: body.id });
    expect(chained.status).toBe(404);
    expect(await standinRequests()).toBe(before);

    const stored = (await (await responses(a.key, { input: "keep this", store: true })).json()) as { store: boolean };
    expect(stored.store).toBe(true);
  });
});
