import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { audit } from "../../admin/audit";
import { refundOwner } from "../../billing/refunds";
import { keyOwner } from "../../keys/manage";
import type { AdminEnv } from "../../middleware/admin-auth";

type Ctx = Context<AdminEnv>;
type Detail = Record<string, string | number | boolean | null>;

interface Audited {
  action: string;
  /** Whose data the request touched, once the handler ran. Default: the ":id" of /users/:id routes. */
  target?: (c: Ctx, id: string | null) => Promise<string | null>;
  /** Short facts worth keeping (ids, amounts, filters) — never a key, password or prompt text. */
  detail?: (c: Ctx, id: string | null) => Promise<Detail>;
  /** The handler writes its own, richer audit row (src/routes/admin/roles.ts). */
  selfAudited?: true;
}

const jsonOf = async (r: Response | Request): Promise<Record<string, unknown>> => {
  try {
    return (await r.clone().json()) as Record<string, unknown>;
  } catch {
    return {};
  }
};
const str = (v: unknown) => (typeof v === "string" ? v : null);
const requestFields = async (c: Ctx) => ({ fields: Object.keys(await jsonOf(c.req.raw)).sort().join(",") });

const refundTarget = async (c: Ctx, id: string | null) => (id ? refundOwner(c.env, id) : null);

/**
 * Every operator route and what its audit row says (P20). A route missing here is still logged,
 * as "admin.request", and test/privacy/audit.test.ts fails until it gets its own entry.
 */
export const AUDITED: Record<string, Audited> = {
  "GET /users": { action: "user.list", target: async () => null, detail: async (c) => ({ q: c.req.query("q") ?? null }) },
  "POST /users": { action: "user.create", target: async (c) => str((await jsonOf(c.res)).id) },
  "GET /users/:id": { action: "user.read" },
  "GET /users/:id/usage": { action: "user.usage.read" },
  "GET /users/:id/keys": { action: "key.list" },
  "POST /users/:id/credits": {
    action: "credits.grant",
    detail: async (c) => {
      const r = await jsonOf(c.res);
      return { amount_usd: str(r.amount_usd), transaction_id: str(r.transaction_id) };
    },
  },
  "POST /orgs/:id/credits": { action: "org.credits.grant", target: async () => null, detail: async (c, id) => ({ organization: id, transaction_id: str((await jsonOf(c.res)).transaction_id) }) },
  "POST /users/:id/keys": { action: "key.create", detail: async (c) => ({ key_id: str((await jsonOf(c.res)).id) }) },
  "PATCH /users/:id/role": { action: "user.role", selfAudited: true },
  "POST /users/:id/suspend": { action: "user.suspend", selfAudited: true },
  "POST /users/:id/unsuspend": { action: "user.unsuspend", selfAudited: true },
  "DELETE /keys/:id": {
    action: "key.revoke",
    target: async (c, id) => (id ? (await keyOwner(c.env, id).catch(() => null))?.userId ?? null : null),
    detail: async (_c, id) => ({ key_id: id }),
  },
  "GET /models": { action: "model.list", target: async () => null },
  "PATCH /models/:id": { action: "model.update", target: async () => null, detail: async (c, id) => ({ model: id, ...(await requestFields(c)) }) },
  "GET /channels": { action: "channel.list", target: async () => null },
  "GET /audit": { action: "audit.read", target: async (c) => c.req.query("target") ?? null },
  "GET /refunds": { action: "refund.list", target: async () => null, detail: async (c) => ({ status: c.req.query("status") ?? null }) },
  "POST /refunds/:id/approve": { action: "refund.approve", target: refundTarget, detail: async (_c, id) => ({ refund_id: id }) },
  "POST /refunds/:id/reject": { action: "refund.reject", target: refundTarget, detail: async (_c, id) => ({ refund_id: id }) },
  "GET /rights-requests": { action: "rights_request.list", target: async () => null, detail: async (c) => ({ status: c.req.query("status") ?? null }) },
  // Writes rights_request.fulfilled / .rejected itself (src/retention/rights-desk.ts), with the request id.
  "POST /rights-requests/:id/resolve": { action: "rights_request.resolve", selfAudited: true },
  "GET /reconciliation": { action: "reconciliation.read", target: async () => null },
  "POST /reconciliation/run": { action: "reconciliation.run", target: async () => null },
  "GET /revenue": { action: "revenue.read", target: async () => null },
  "DELETE /users/:id": { action: "user.terminate", detail: async (c) => ({ refund_request_id: str((await jsonOf(c.res)).refund_request_id) }) },
  "POST /promo-codes": { action: "promo.create", target: async () => null, detail: async (c) => ({ code: str((await jsonOf(c.res)).code) }) },
  "GET /promo-codes": { action: "promo.list", target: async () => null },
  "POST /plans": { action: "plan.create", target: async () => null, detail: async (c) => ({ plan: str((await jsonOf(c.res)).id) }) },
  "GET /plans": { action: "plan.list", target: async () => null },
  "POST /catalog/import": {
    action: "catalog.import", target: async () => null,
    detail: async (c) => {
      const r = await jsonOf(c.res);
      const applied = r.applied as { disabled?: string[] } | null | undefined;
      return { changes: Array.isArray(r.changes) ? r.changes.length : null, applied: Boolean(applied), disabled: applied?.disabled?.join(",") ?? null };
    },
  },
  "POST /notices/policy-change": {
    action: "notice.policy_change", target: async () => null,
    detail: async (c) => {
      const r = await jsonOf(c.res);
      return { version: str(r.version), queued: typeof r.queued === "number" ? r.queued : null };
    },
  },
};

/** The ":id" segment of `path` under `route` (e.g. "/users/:id/keys"), aligned from the end (the mount prefix comes first). */
function idParam(route: string, path: string): string | null {
  const names = route.split("/");
  const values = path.split("/").slice(-names.length);
  const at = names.indexOf(":id");
  if (at < 0 || values.length !== names.length) return null;
  try {
    return decodeURIComponent(values[at]!);
  } catch {
    return values[at]!;
  }
}

/**
 * Writes one audit_log row for every request a route of the operator API answered, successful or
 * not (the status is in the detail), after the handler ran. The row is written before the
 * response leaves: if it cannot be written, the caller gets a 500 instead of unaudited data.
 */
export function auditTrail(): MiddlewareHandler<AdminEnv> {
  return async function auditTrail(c, next) {
    await next();
    // The route that answered: the last matched handler that is not a middleware (`use` is "ALL").
    const answered = matchedRoutes(c).filter((r) => r.method !== "ALL").at(-1);
    if (!answered) return; // no route (404): nothing was read or changed
    const route = answered.path.slice(answered.basePath === "/" ? 0 : answered.basePath.length);
    const key = `${c.req.method} ${route}`;
    const entry: Audited = AUDITED[key] ?? { action: "admin.request", detail: async () => ({ route: key }) };
    if (entry.selfAudited) return;
    const id = idParam(route, c.req.path);
    const targetUserId = entry.target ? await entry.target(c, id) : route.startsWith("/users/:id") ? id : null;
    const detail = { status: c.res.status, ...(entry.detail ? await entry.detail(c, id) : {}) };
    await audit(c.env, { actor: c.get("adminActor"), action: entry.action, targetUserId, detail: JSON.stringify(detail) });
  };
}
