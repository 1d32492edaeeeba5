import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { encodeCursor } from "../../src/usage/keyset";
import { BASE, chat, drained } from "../helpers/gateway";
import { signedInUser, type SessionUser } from "../helpers/session";
import { sessionKey } from "./support";

/**
 * User B walks every /api/me and /api/v1 route with user A's key ids, request ids and filters.
 * B must always get 404/403 or B's own (possibly empty) data: never any of A's identifiers.
 * The routes come from the app itself, so a new route without a probe fails "every route is covered".
 */

interface Party { user: SessionUser; key: string; keyId: string; requestIds: string[] }
interface World { a: Party; b: Party; aMarkers: string[]; aFirstUsageAt: number; aCheckoutId: string }
interface Call { path: string; method?: string; json?: unknown; auth: "session" | "key" }
/**
 * `control`: run as A, at least one of the calls shows A's data (so the probe would notice a leak).
 * `statuses`: for routes that act only on the caller's own account (no id to aim at A), the
 * refusals they may give; the answer must still never carry A's data and A must be unaffected.
 */
interface Probe { calls: (w: World, me: Party) => Call[]; control?: boolean; statuses?: number[] }

const session = (path: string, method = "GET", json?: unknown): Call => ({ path, method, json, auth: "session" });
const keyed = (path: string, method = "GET", json?: unknown): Call => ({ path, method, json, auth: "key" });
const chatBody = { model: "test-echo", max_tokens: 7, messages: [{ role: "user", content: "Hi" }] };

/** Probes by route (the /v1 mount reuses the /api/v1 probe). */
const PROBES: Record<string, Probe> = {
  "GET /api/me/keys": { calls: () => [session("/api/me/keys")], control: true },
  "POST /api/me/keys": { calls: () => [session("/api/me/keys", "POST", { name: "b-own" })] },
  "PATCH /api/me/keys/:id": { calls: (w) => [session(`/api/me/keys/${w.a.keyId}`, "PATCH", { name: "stolen", rpm: 1 })] },
  "DELETE /api/me/keys/:id": { calls: (w) => [session(`/api/me/keys/${w.a.keyId}`, "DELETE")] },
  "GET /api/me/usage": {
    control: true,
    calls: (w) => [
      session(`/api/me/usage?key_id=${w.a.keyId}`),
      session(`/api/me/usage?user_id=${w.a.user.userId}&model=test-echo`),
      // A cursor positioned just after A's first record: the page is still only the caller's.
      session(`/api/me/usage?cursor=${encodeCursor({ t: w.aFirstUsageAt + 1, id: "req_zzzzzzzz" })}`),
    ],
  },
  "GET /api/me/usage/aggregate": { calls: () => ["day", "model", "key"].map((g) => session(`/api/me/usage/aggregate?group_by=${g}`)), control: true },
  "GET /api/me/overview": { calls: () => [session("/api/me/overview")] },
  "GET /api/me/export/usage": { calls: () => [session("/api/me/export/usage?format=csv"), session("/api/me/export/usage?format=json")], control: true },
  "GET /api/me/export/transactions": { calls: () => [session("/api/me/export/transactions?format=csv"), session("/api/me/export/transactions?format=json")] },
  "GET /api/me/security-log": { calls: () => [session("/api/me/security-log?limit=500")] },
  "GET /api/me/rights-requests": { calls: () => [session("/api/me/rights-requests")] },
  "GET /api/me/rights-requests/kinds": { calls: () => [session("/api/me/rights-requests/kinds")] },
  // A request is always the caller's own: naming A is refused by the strict body.
  "POST /api/me/rights-requests": {
    calls: (w) => [session("/api/me/rights-requests", "POST", { kind: "objection", user_id: w.a.user.userId }), session("/api/me/rights-requests", "POST", { kind: "objection" })],
    statuses: [201, 400],
  },
  "GET /api/v1/generation": { calls: (w) => w.a.requestIds.map((id) => keyed(`/api/v1/generation?id=${id}`)), control: true },
  "GET /api/v1/credits": { calls: () => [keyed("/api/v1/credits")] },
  "GET /api/v1/key": { calls: () => [keyed("/api/v1/key")], control: true },
  "GET /api/v1/models": { calls: () => [keyed("/api/v1/models")] },
  "GET /api/v1/models/:id{.+}": { calls: () => [keyed("/api/v1/models/test-echo")] },
  "GET /api/v1/models/recommendations": { calls: () => [keyed("/api/v1/models/recommendations?task=chat")] },
  // (The echo model repeats the request, so no A id goes into a body here: B would only see its own input.)
  "POST /api/v1/chat/completions": { calls: () => [keyed("/api/v1/chat/completions", "POST", chatBody)] },
  "POST /api/v1/messages": { calls: () => [keyed("/api/v1/messages", "POST", chatBody)] },
  "POST /api/v1/messages/count_tokens": { calls: () => [keyed("/api/v1/messages/count_tokens", "POST", chatBody)] },
  "POST /api/v1/responses": { calls: () => [keyed("/api/v1/responses", "POST", { model: "test-echo", input: "Hi", max_output_tokens: 16 })] },
  "POST /api/v1/embeddings": { calls: () => [keyed("/api/v1/embeddings", "POST", { model: "test-embed", input: "Hi" })] },
  // Session routes that act on the caller's own account: A's ids cannot even be named (strict bodies).
  "GET /api/me/profile": { calls: () => [session("/api/me/profile")], control: true },
  "PATCH /api/me/profile": { calls: (w) => [session("/api/me/profile", "PATCH", { name: "b" }), session("/api/me/profile", "PATCH", { id: w.a.user.userId, name: "b" })], statuses: [200, 400] },
  "POST /api/me/email": { calls: (w) => [session("/api/me/email", "POST", { email: w.a.user.email, password: "not-the-password-1" })], statuses: [400, 401, 202] }, // 202: A's address answers like a free one; A is only mailed a notice
  "POST /api/me/playground/chat/completions": { calls: () => [session("/api/me/playground/chat/completions", "POST", chatBody)] },
  "GET /api/billing/config": { calls: () => [session("/api/billing/config")] },
  "POST /api/billing/checkout": { calls: () => [session("/api/billing/checkout", "POST", { amount_usd: "10.00" })] },
  "GET /api/billing/checkout/:id": { calls: (w) => [session(`/api/billing/checkout/${w.aCheckoutId}`)] },
  "GET /api/billing/transactions": { calls: () => [session("/api/billing/transactions?limit=100")], control: true },
  "GET /api/billing/balance-history": { calls: () => [session("/api/billing/balance-history?days=30")] },
  "GET /api/billing/refunds": { calls: () => [session("/api/billing/refunds")] },
  "POST /api/billing/refunds": { calls: () => [session("/api/billing/refunds", "POST", { amount_usd: "1.00" })], statuses: [201, 400, 409] },
  "PUT /api/billing/low-balance": { calls: () => [session("/api/billing/low-balance", "PUT", { threshold_usd: "1.00" })], statuses: [200, 204] },
  "POST /api/billing/redeem": { calls: () => [session("/api/billing/redeem", "POST", { code: "NO-SUCH-CODE" })], statuses: [404] },
  "GET /api/billing/auto-topup": { calls: () => [session("/api/billing/auto-topup")] },
  "PUT /api/billing/auto-topup": { calls: () => [session("/api/billing/auto-topup", "PUT", { enabled: false })], statuses: [200] },
  "GET /api/billing/receipts": { calls: () => [session("/api/billing/receipts")] },
  "GET /api/billing/receipts/:id": { calls: () => [session("/api/billing/receipts/top_someone_else")] },
  "GET /api/billing/plans": { calls: () => [session("/api/billing/plans")] },
  "GET /api/billing/subscription": { calls: () => [session("/api/billing/subscription")] },
  "POST /api/billing/subscribe": { calls: () => [session("/api/billing/subscribe", "POST", { plan_id: "no-such-plan" })], statuses: [404] },
  // On the caller's own live subscription only (B has none): naming another is refused by the strict body.
  "POST /api/billing/subscription/cancel": { calls: () => [session("/api/billing/subscription/cancel", "POST", {}), session("/api/billing/subscription/cancel", "POST", { subscription_id: "sub_someone_else" })], statuses: [400, 404] },
  "POST /api/billing/subscription/resume": { calls: () => [session("/api/billing/subscription/resume", "POST", {}), session("/api/billing/subscription/resume", "POST", { subscription_id: "sub_someone_else" })], statuses: [400, 404] },
  "POST /api/billing/subscription/change": { calls: () => [session("/api/billing/subscription/change", "POST", { plan_id: "no-such-plan" })], statuses: [404] },
  // Management keys, the provisioning API (it takes a management key: B's API key is refused 401) and own provider keys.
  "GET /api/me/management-keys": { calls: () => [session("/api/me/management-keys")] },
  "POST /api/me/management-keys": { calls: () => [session("/api/me/management-keys", "POST", { name: "b-mgmt" })] },
  "DELETE /api/me/management-keys/:id": { calls: () => [session(`/api/me/management-keys/mgk_${"0".repeat(22)}`, "DELETE")] },
  "GET /api/v1/keys": { calls: () => [keyed("/api/v1/keys")], statuses: [401] },
  "POST /api/v1/keys": { calls: () => [keyed("/api/v1/keys", "POST", { name: "x" })], statuses: [401] },
  "GET /api/v1/keys/:id": { calls: (w) => [keyed(`/api/v1/keys/${w.a.keyId}`)], statuses: [401] },
  "PATCH /api/v1/keys/:id": { calls: (w) => [keyed(`/api/v1/keys/${w.a.keyId}`, "PATCH", { disabled: true })], statuses: [401] },
  "DELETE /api/v1/keys/:id": { calls: (w) => [keyed(`/api/v1/keys/${w.a.keyId}`, "DELETE")], statuses: [401] },
  "GET /api/me/provider-keys": { calls: () => [session("/api/me/provider-keys")] },
  "PUT /api/me/provider-keys/:provider": { calls: () => [session("/api/me/provider-keys/groq", "PUT", { key: "gsk-b-own-key-0123456789" })] },
  "DELETE /api/me/provider-keys/:provider": { calls: () => [session("/api/me/provider-keys/openai", "DELETE")] },
  // The webhook takes no session; unsigned it is refused whoever sends it.
  "POST /api/billing/webhook": { calls: (w) => [session("/api/billing/webhook", "POST", { type: "checkout.session.completed", data: { object: { client_reference_id: w.a.user.userId } } })], statuses: [400] },
};

/**
 * Routes probed by their own test below rather than in the loop: they end the caller's sessions, so
 * they need a throw-away user (a fresh session is enough re-authentication for an account without a password).
 */
export const TODO_ROUTES: string[] = ["POST /api/me/delete", "POST /api/me/password"];

/** Every user-facing route of the app, as "METHOD /pattern" (the /v1 mount folded into /api/v1). */
function appRoutes(): string[] {
  const routes = createApp().routes
    .filter((r) => r.method !== "ALL" && /^\/(api\/me|api\/v1|v1|api\/billing)\//.test(r.path))
    .map((r) => `${r.method} ${r.path.replace(/^\/v1\//, "/api/v1/")}`);
  return [...new Set(routes)].sort();
}

async function send(call: Call, as: Party, prefix = "/api/v1/"): Promise<Response> {
  const path = call.path.replace(/^\/api\/v1\//, prefix);
  if (call.auth === "session") return as.user.fetch(path, { method: call.method ?? "GET", json: call.json });
  const headers = new Headers({ authorization: `Bearer ${as.key}` });
  if (call.json !== undefined) headers.set("content-type", "application/json");
  return SELF.fetch(`${BASE}${path}`, { method: call.method ?? "GET", headers, body: call.json === undefined ? undefined : JSON.stringify(call.json) });
}

async function party(): Promise<Party> {
  const user = await signedInUser("10.00");
  const k = await sessionKey(user, { name: "isolation" });
  const requestIds: string[] = [];
  for (let i = 0; i < 2; i++) {
    const res = await chat(k.key, { model: "test-echo", max_tokens: 7 });
    expect(res.status).toBe(200);
    requestIds.push(res.headers.get("x-request-id")!);
  }
  await drained(user.userId);
  return { user, key: k.key, keyId: k.id, requestIds };
}

let world: World;

beforeAll(async () => {
  const a = await party();
  const b = await party();
  const txns = await env.DB.prepare("SELECT id FROM transactions WHERE user_id = ?").bind(a.user.userId).all<{ id: string }>();
  const first = await env.DB.prepare("SELECT min(created_at) AS t FROM usage_logs WHERE user_id = ?").bind(a.user.userId).first<{ t: number }>();
  const checkout = await a.user.fetch("/api/billing/checkout", { method: "POST", json: { amount_usd: "10.00" } });
  expect(checkout.status).toBeLessThan(300);
  const { checkout_id: aCheckoutId } = (await checkout.json()) as { checkout_id: string };
  world = {
    a, b, aFirstUsageAt: first!.t, aCheckoutId,
    aMarkers: [aCheckoutId, a.user.userId, a.user.email, a.keyId, a.key.slice(-43), ...a.requestIds, ...txns.results.map((t) => t.id)],
  };
}, 60_000);

function leaked(text: string): string[] {
  return world.aMarkers.filter((m) => text.includes(m));
}

describe("user B never sees user A's data", () => {
  it("every /api/me, /api/v1 and /api/billing route has a probe or a TODO entry", () => {
    const uncovered = appRoutes().filter((r) => !(r in PROBES) && !TODO_ROUTES.includes(r));
    expect(uncovered).toEqual([]);
  });

  for (const route of appRoutes().filter((r) => r in PROBES)) {
    const prefixes = route.includes("/api/v1/") ? ["/api/v1/", "/v1/"] : ["/api/v1/"];
    it(`${route}: 404/403 or only B's own data`, async () => {
      for (const prefix of prefixes) {
        for (const call of PROBES[route]!.calls(world, world.b)) {
          const res = await send(call, world.b, prefix);
          const text = await res.text();
          expect([200, 201, 403, 404, ...(PROBES[route]!.statuses ?? [])], `${call.method ?? "GET"} ${call.path} → ${res.status} ${text.slice(0, 200)}`).toContain(res.status);
          if (res.status < 300) expect(leaked(text), `${call.path} answered with A's data`).toEqual([]);
        }
      }
    });
  }

  it("POST /api/me/password: changes only the caller's own password; A's session and key keep working", async () => {
    const c = await signedInUser("0");
    const named = await c.fetch("/api/me/password", { method: "POST", json: { user_id: world.a.user.userId, current_password: "x", new_password: "another-password-2" } });
    expect(named.status).toBe(400);
    const own = await c.fetch("/api/me/password", { method: "POST", json: { current_password: "not-the-password-1", new_password: "another-password-2" } });
    expect([204, 400, 401]).toContain(own.status);
    expect(leaked(await own.text())).toEqual([]);
    expect((await world.a.user.fetch("/api/me/profile")).status).toBe(200);
  });

  it("POST /api/me/delete: naming A is refused, and a user deleting their own account leaves A untouched", async () => {
    const c = await signedInUser("1.00");
    const named = await c.fetch("/api/me/delete", { method: "POST", json: { user_id: world.a.user.userId, confirm: "DELETE" } });
    expect(named.status).toBe(400);
    expect(leaked(await named.text())).toEqual([]);
    const own = await c.fetch("/api/me/delete", { method: "POST", json: { confirm: "DELETE" } });
    expect(own.status).toBe(200);
    expect(leaked(await own.text())).toEqual([]);
    const profile = await world.a.user.fetch("/api/me/profile");
    expect(profile.status).toBe(200);
    expect(((await profile.json()) as { user: { email: string } }).user.email).toBe(world.a.user.email);
    const res = await chat(world.a.key, { model: "test-echo", max_tokens: 7 });
    expect(res.status).toBe(200);
    await res.text();
  });

  it("control: the same probes run as A do show A's data (so they would notice a leak)", async () => {
    for (const [route, probe] of Object.entries(PROBES).filter(([, p]) => p.control)) {
      let shown = 0;
      for (const call of probe.calls(world, world.a)) {
        const res = await send(call, world.a);
        expect(res.status, route).toBe(200);
        shown += leaked(await res.text()).length;
      }
      expect(shown, route).toBeGreaterThan(0);
    }
  });

  it("A's key survived B's PATCH and DELETE attempts unchanged and still works", async () => {
    const keys = (await (await world.a.user.fetch("/api/me/keys")).json()) as { data: { id: string; name: string; rpm: number | null; revoked_at: string | null }[] };
    expect(keys.data.find((k) => k.id === world.a.keyId)).toMatchObject({ name: "isolation", rpm: null, revoked_at: null });
    const res = await chat(world.a.key, { model: "test-echo", max_tokens: 7 });
    expect(res.status).toBe(200);
    await res.text();
  });
});
