// Subscriptions for the Stripe stand-in (create, retrieve, update: cancel at period end, resume, change price); see README.md, "Stripe".
import { randomBytes } from "node:crypto";

type Obj = Record<string, unknown>;
export interface Reply { status: number; body: unknown; event?: { type: string; object: Obj } }

const PERIOD_S = 30 * 86_400;
const now = () => Math.floor(Date.now() / 1000);
const id = (prefix: string) => `${prefix}_test_${randomBytes(12).toString("hex")}`;

/** Every subscription, by id. */
export const subscriptions = new Map<string, Obj>();
/** Every update asked for, in order: the subscription, the parameters as sent, and the idempotency key. */
export const subscriptionUpdates: { subscription: string; params: Obj; idempotency_key: string | null }[] = [];

const missing = (what: string): Reply => ({ status: 404, body: { error: { type: "invalid_request_error", code: "resource_missing", message: `No such subscription: '${what}'` } } });
const invalid = (message: string): Reply => ({ status: 400, body: { error: { type: "invalid_request_error", code: "parameter_invalid", message } } });

const item = (price: string, start: number): Obj => ({
  id: id("si"), object: "subscription_item", price: { id: price, object: "price" }, quantity: 1,
  current_period_start: start, current_period_end: start + PERIOD_S,
});

/** POST /v1/subscriptions with `customer` and `items[0][price]`: active at once (a test creates the one it then changes). */
export function createSubscription(p: Obj): Reply {
  const price = ((p.items as Obj[] | undefined)?.[0]?.price ?? "") as string;
  if (!p.customer || !price) return invalid("customer and items[0][price] are required.");
  const start = now();
  const sub: Obj = {
    id: id("sub"), object: "subscription", customer: p.customer, status: "active", cancel_at_period_end: false, pending_update: null,
    created: start, metadata: p.metadata ?? {}, items: { object: "list", data: [item(price, start)] },
  };
  subscriptions.set(sub.id as string, sub);
  return { status: 200, body: structuredClone(sub), event: { type: "customer.subscription.created", object: structuredClone(sub) } };
}

export function retrieveSubscription(subId: string): Reply {
  const sub = subscriptions.get(subId);
  return sub ? { status: 200, body: sub } : missing(subId);
}

/**
 * POST /v1/subscriptions/:id: `cancel_at_period_end` ("true"/"false"), or `items[0][id]` +
 * `items[0][price]` (the item's price swapped; the stand-in's invoices are always paid, so a
 * `pending_if_incomplete` change applies at once). A canceled subscription cannot be updated, as in Stripe.
 */
export function updateSubscription(subId: string, p: Obj, key: string | null): Reply {
  const sub = subscriptions.get(subId);
  if (!sub) return missing(subId);
  if (sub.status === "canceled") return invalid("A canceled subscription can only update its cancellation_details and metadata.");
  const items = (p.items as Obj[] | undefined) ?? [];
  const current = (sub.items as { data: Obj[] }).data;
  for (const change of items) {
    const target = current.find((i) => i.id === change.id);
    if (!target) return invalid(`No such subscription item: '${String(change.id)}'`);
    if (change.price) target.price = { id: change.price, object: "price" };
  }
  if (p.cancel_at_period_end !== undefined) sub.cancel_at_period_end = p.cancel_at_period_end === "true";
  subscriptionUpdates.push({ subscription: subId, params: p, idempotency_key: key });
  return { status: 200, body: structuredClone(sub), event: { type: "customer.subscription.updated", object: structuredClone(sub) } };
}
