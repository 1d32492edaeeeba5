import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { newId, newOrgId, newUserId } from "../../src/lib/ids";
import { adminApi } from "../../src/routes/admin";
import { account, admin, createUser, type TestUser } from "../helpers/gateway";
import { signedInUser, type SessionUser } from "../helpers/session";

// P20: every operator read or change of user data leaves an audit row (actor, action, target, time).
// The walk covers every route the admin router has: a new route without a case here fails the test.

type Init = { method: string; path: string; json?: unknown };
interface Case {
  action: string;
  /** A fresh request (destructive routes get their own fixture each time). */
  request: () => Promise<Init>;
  /** The user whose data the request touched, or null for catalog and report routes. */
  target: (res: Response, init: Init) => Promise<string | null>;
}

let victim: TestUser;
const none = async () => null;
const victimTarget = async () => victim.userId;

async function refundRow(): Promise<string> {
  const id = newId("rfd_");
  await env.DB.prepare("INSERT INTO refund_requests (id, user_id, amount_nano, status, source, created_at) VALUES (?, ?, 1000, 'requested', 'user', ?)")
    .bind(id, victim.userId, Date.now()).run();
  return id;
}
async function rightsRow(): Promise<string> {
  const id = newId("rr_");
  await env.DB.prepare("INSERT INTO rights_requests (id, user_id, kind, status, created_at, due_at) VALUES (?, ?, 'objection', 'open', ?, ?)")
    .bind(id, victim.userId, Date.now(), Date.now() + 30 * 86_400_000).run();
  return id;
}
async function freshKey(): Promise<string> {
  const res = await admin(`/users/${victim.userId}/keys`, { method: "POST", json: { name: "to revoke" } });
  return ((await res.json()) as { id: string }).id;
}
/** An organization written straight to D1, so no other route's audit row appears. */
async function someOrg(): Promise<string> {
  const id = newOrgId();
  await env.DB.prepare("INSERT INTO organizations (id, name, created_by, created_at) VALUES (?, 'Audited', ?, ?)").bind(id, victim.userId, Date.now()).run();
  return id;
}
let n = 0;
/** A user for the destructive termination case, written straight to D1 so no other route's audit row appears. */
async function doomedUser(): Promise<string> {
  const id = newUserId();
  await env.DB.prepare("INSERT INTO users (id, email, status, created_at, email_verified_at) VALUES (?, ?, 'active', ?, ?)")
    .bind(id, `doomed-${id}@example.test`, Date.now(), Date.now()).run();
  return id;
}

const CASES: Record<string, Case> = {
  "GET /users": { action: "user.list", request: async () => ({ method: "GET", path: "/users?q=user" }), target: none },
  "POST /users": {
    action: "user.create", request: async () => ({ method: "POST", path: "/users", json: { email: `audit-${Date.now()}-${n++}@example.test` } }),
    target: async (res) => ((await res.clone().json()) as { id: string }).id,
  },
  "GET /users/:id": { action: "user.read", request: async () => ({ method: "GET", path: `/users/${victim.userId}` }), target: victimTarget },
  "GET /users/:id/usage": { action: "user.usage.read", request: async () => ({ method: "GET", path: `/users/${victim.userId}/usage` }), target: victimTarget },
  "GET /users/:id/keys": { action: "key.list", request: async () => ({ method: "GET", path: `/users/${victim.userId}/keys` }), target: victimTarget },
  "POST /users/:id/credits": { action: "credits.grant", request: async () => ({ method: "POST", path: `/users/${victim.userId}/credits`, json: { amount_usd: "0.01" } }), target: victimTarget },
  "POST /orgs/:id/credits": { action: "org.credits.grant", request: async () => ({ method: "POST", path: `/orgs/${await someOrg()}/credits`, json: { amount_usd: "0.01" } }), target: none },
  "POST /users/:id/keys": { action: "key.create", request: async () => ({ method: "POST", path: `/users/${victim.userId}/keys`, json: { name: "audited" } }), target: victimTarget },
  "PATCH /users/:id/role": { action: "user.role", request: async () => ({ method: "PATCH", path: `/users/${victim.userId}/role`, json: { role: "user" } }), target: victimTarget },
  "POST /users/:id/suspend": { action: "user.suspend", request: async () => ({ method: "POST", path: `/users/${victim.userId}/suspend`, json: { reason: "audit walk" } }), target: victimTarget },
  "POST /users/:id/unsuspend": { action: "user.unsuspend", request: async () => ({ method: "POST", path: `/users/${victim.userId}/unsuspend`, json: {} }), target: victimTarget },
  "DELETE /keys/:id": { action: "key.revoke", request: async () => ({ method: "DELETE", path: `/keys/${await freshKey()}` }), target: victimTarget },
  "GET /models": { action: "model.list", request: async () => ({ method: "GET", path: "/models" }), target: none },
  "PATCH /models/:id": { action: "model.update", request: async () => ({ method: "PATCH", path: "/models/test-xai-text", json: { enabled: true, price_source: "audit test" } }), target: none },
  "GET /channels": { action: "channel.list", request: async () => ({ method: "GET", path: "/channels" }), target: none },
  "GET /audit": { action: "audit.read", request: async () => ({ method: "GET", path: `/audit?target=${victim.userId}` }), target: victimTarget },
  "GET /refunds": { action: "refund.list", request: async () => ({ method: "GET", path: "/refunds?status=requested" }), target: none },
  "POST /refunds/:id/approve": { action: "refund.approve", request: async () => ({ method: "POST", path: `/refunds/${await refundRow()}/approve`, json: {} }), target: victimTarget },
  "POST /refunds/:id/reject": { action: "refund.reject", request: async () => ({ method: "POST", path: `/refunds/${await refundRow()}/reject`, json: {} }), target: victimTarget },
  "GET /rights-requests": { action: "rights_request.list", request: async () => ({ method: "GET", path: "/rights-requests?status=open" }), target: none },
  "POST /rights-requests/:id/resolve": {
    action: "rights_request.fulfilled", request: async () => ({ method: "POST", path: `/rights-requests/${await rightsRow()}/resolve`, json: { outcome: "fulfilled", note: "done" } }),
    target: victimTarget,
  },
  "GET /reconciliation": { action: "reconciliation.read", request: async () => ({ method: "GET", path: "/reconciliation" }), target: none },
  "POST /reconciliation/run": { action: "reconciliation.run", request: async () => ({ method: "POST", path: "/reconciliation/run", json: {} }), target: none },
  "GET /revenue": { action: "revenue.read", request: async () => ({ method: "GET", path: "/revenue" }), target: none },
  "DELETE /users/:id": {
    action: "user.terminate", request: async () => ({ method: "DELETE", path: `/users/${await doomedUser()}` }),
    target: async (_res, init) => init.path.split("/").at(-1)!,
  },
  "POST /promo-codes": { action: "promo.create", request: async () => ({ method: "POST", path: "/promo-codes", json: { code: `AUDIT-${Date.now()}-${n++}`, amount_usd: "1.00", max_uses: 1 } }), target: none },
  "GET /promo-codes": { action: "promo.list", request: async () => ({ method: "GET", path: "/promo-codes" }), target: none },
  "POST /plans": { action: "plan.create", request: async () => ({ method: "POST", path: "/plans", json: { id: `audit-${Date.now()}-${n++}`, name: "Audit", stripe_price_id: `price_audit${Date.now()}${n++}`, price_usd: "10.00", monthly_credit_usd: "5.00" } }), target: none },
  "GET /plans": { action: "plan.list", request: async () => ({ method: "GET", path: "/plans" }), target: none },
  "POST /catalog/import": { action: "catalog.import", request: async () => ({ method: "POST", path: "/catalog/import", json: { dataset: { source: "audit", read_at: "2026-12-01T00:00:00Z", models: [] } } }), target: none },
  "POST /notices/policy-change": {
    action: "notice.policy_change",
    request: async () => ({ method: "POST", path: "/notices/policy-change", json: { version: `audit-${n++}`, effective_date: "2026-12-31", summary: "Audit walk." } }),
    target: none,
  },
};

const routes = () => [...new Set(adminApi().routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`))].sort();

type Caller = (init: Init, headers?: Record<string, string>) => Promise<Response>;
const bearer: Caller = (i) => admin(i.path, { method: i.method, json: i.json });
const viaSession = (s: SessionUser): Caller => (i, headers) => s.fetch(`/api/admin${i.path}`, { method: i.method, json: i.json, headers });

const auditRows = async (actor: string, since: number) =>
  (await env.DB.prepare("SELECT * FROM audit_log WHERE actor = ? AND created_at >= ? ORDER BY created_at, id").bind(actor, since).all<Record<string, unknown>>()).results;

let adminUser: SessionUser;
let plainUser: SessionUser;
beforeAll(async () => {
  victim = await createUser("1.00");
  adminUser = await signedInUser("0", { role: "admin" });
  plainUser = await signedInUser("1.00");
});

describe("the audit walk covers every admin route", () => {
  it("has a case for every route of the admin router, and none for routes that do not exist", () => {
    expect(Object.keys(CASES).sort()).toEqual(routes());
  });

  for (const [who, actor, caller] of [
    ["the operator token", () => "operator-token", () => bearer],
    ["an admin session", () => adminUser.userId, () => viaSession(adminUser)],
  ] as const) {
    it(`as ${who}: each route writes one audit row with actor, action, target and time`, async () => {
      for (const route of routes()) {
        const c = CASES[route]!;
        const init = await c.request();
        const before = Date.now();
        const res = await caller()(init);
        await res.clone().arrayBuffer();
        const after = Date.now();
        expect(res.status, `${route} answered ${res.status}: ${await res.clone().text()}`).not.toBe(403);
        const rows = await auditRows(actor(), before);
        expect(rows.map((r) => r.action), route).toEqual([c.action]);
        expect(rows[0]!.target_user_id, route).toBe(await c.target(res, init));
        expect(Number(rows[0]!.created_at)).toBeGreaterThanOrEqual(before);
        expect(Number(rows[0]!.created_at)).toBeLessThanOrEqual(after);
      }
    });
  }

  it("the detail names amounts and ids but never the new key itself", async () => {
    const since = Date.now();
    const res = await admin(`/users/${victim.userId}/keys`, { method: "POST", json: { name: "secret check" } });
    const { id, key } = (await res.json()) as { id: string; key: string };
    const [row] = await auditRows("operator-token", since);
    expect(JSON.parse(String(row!.detail))).toEqual({ status: 201, key_id: id });
    expect(JSON.stringify(await env.DB.prepare("SELECT * FROM audit_log").all())).not.toContain(key);
  });

  it("a path no route answers → 404 and no audit row", async () => {
    const since = Date.now();
    expect((await admin("/no-such-route")).status).toBe(404);
    expect(await auditRows("operator-token", since)).toEqual([]);
  });
});

describe("who may not use the admin routes", () => {
  it("a plain user's session → 403 on every admin route, and no audit row", async () => {
    const since = Date.now();
    for (const route of routes()) {
      const res = await viaSession(plainUser)(await CASES[route]!.request());
      expect(res.status, route).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code, route).toBe("forbidden");
    }
    expect(await auditRows(plainUser.userId, since)).toEqual([]);
  });

  it("an admin session without the CSRF header → 403 on every state-changing route, nothing done", async () => {
    const balance = (await account(victim.userId).summary()).balanceNano;
    const since = Date.now();
    for (const route of routes().filter((r) => !r.startsWith("GET "))) {
      const res = await viaSession(adminUser)(await CASES[route]!.request(), { "x-csrf-token": "" });
      expect(res.status, route).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code, route).toBe("csrf_token_invalid");
    }
    expect(await auditRows(adminUser.userId, since)).toEqual([]);
    expect((await account(victim.userId).summary()).balanceNano).toBe(balance);
  });
});
