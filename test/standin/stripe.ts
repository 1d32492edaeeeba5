// Stripe API stand-in (customers, Checkout Sessions, refunds, subscriptions) and a hosted "pay" page; see README.md, "Stripe".
import { createHmac, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendJson } from "./http.js";
import { createPaymentIntent, paymentIntents, STANDIN_BILLING_DETAILS, standinCharge } from "./stripe-charges.js";
import { createSubscription, retrieveSubscription, subscriptions, subscriptionUpdates, updateSubscription, type Reply } from "./stripe-subscriptions.js";

type Obj = Record<string, unknown>;

interface Session extends Obj { id: string; url: string; success_url: string; amount_total: number; payment_status: string; status: string; payment_intent: string | null }
interface Refund extends Obj { id: string; amount: number; payment_intent: string; charge: string; idempotency_key: string | null }

const customers = new Map<string, Obj>();
const sessions = new Map<string, Session>();
const refunds: Refund[] = [];
/** Idempotency-Key → the first answer (Stripe keeps them 24 h; here, for the process's life). */
const replies = new Map<string, { status: number; body: unknown }>();
/** Every API request: method, path and the idempotency key it carried. */
const requests: { method: string; path: string; idempotency_key: string | null }[] = [];
/** Test hook: refunds of payment intents starting with pi_slow_ take this long (a slow Stripe). */
const SLOW_REFUND_MS = 1500;
/** Idempotency keys of requests still running: Stripe answers a second request with the same key 409. */
const inFlight = new Set<string>();

const id = (prefix: string) => `${prefix}_test_${randomBytes(12).toString("hex")}`;
const now = () => Math.floor(Date.now() / 1000);

/** Stripe's form encoding (`a[b][0][c]=v`) → nested objects and arrays. */
export function parseForm(text: string): Obj {
  const root: Obj = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.replace(/\]/g, "").split("[");
    let node: Obj = root;
    path.forEach((part, i) => {
      if (i === path.length - 1) node[part] = value;
      else node = (node[part] ??= /^\d+$/.test(path[i + 1]!) ? [] : {}) as Obj;
    });
  }
  return root;
}

const stripeError = (res: ServerResponse, status: number, code: string, message: string) =>
  sendJson(res, status, { error: { type: "invalid_request_error", code, message } });

function createSession(p: Obj, origin: string): Session {
  const items = (p.line_items as Obj[] | undefined) ?? [];
  const price = (items[0]?.price_data ?? {}) as Obj;
  const sid = id("cs");
  const amount = Number(price.unit_amount) * Number(items[0]?.quantity ?? 1);
  const s: Session = {
    id: sid, object: "checkout.session", mode: p.mode, customer: p.customer ?? null, client_reference_id: p.client_reference_id ?? null,
    currency: price.currency ?? "usd", amount_total: amount, metadata: p.metadata ?? {}, success_url: String(p.success_url ?? ""),
    cancel_url: p.cancel_url ?? null, payment_status: "unpaid", status: "open", payment_intent: null, url: `${origin}/stripe/pay/${sid}`,
    // What the gateway asked for, as sent (tests check that nothing saves a card for later charges).
    requested_params: Object.keys(p).sort(), payment_intent_data: p.payment_intent_data ?? null,
  };
  sessions.set(sid, s);
  return s;
}

function createRefund(p: Obj, key: string | null): { status: number; body: unknown } {
  const pi = String(p.payment_intent ?? "");
  const amount = Number(p.amount);
  if (!pi || !Number.isSafeInteger(amount) || amount <= 0) return { status: 400, body: { error: { type: "invalid_request_error", code: "parameter_missing", message: "payment_intent and amount are required" } } };
  // Test hook: payments whose id starts with pi_fail_ cannot be refunded.
  if (pi.startsWith("pi_fail_")) return { status: 400, body: { error: { type: "invalid_request_error", code: "charge_disputed", message: "This charge cannot be refunded." } } };
  const paid = [...sessions.values()].find((s) => s.payment_intent === pi);
  const done = refunds.filter((r) => r.payment_intent === pi).reduce((n, r) => n + r.amount, 0);
  if (paid && done + amount > paid.amount_total) return { status: 400, body: { error: { type: "invalid_request_error", code: "amount_too_large", message: "Refund amount is greater than unrefunded amount on charge." } } };
  const refund: Refund = {
    id: id("re"), object: "refund", amount, currency: "usd", payment_intent: pi, charge: `ch_for_${pi}`, status: "succeeded",
    metadata: p.metadata ?? {}, created: now(), idempotency_key: key,
  };
  refunds.push(refund);
  return { status: 200, body: refund };
}

/** Posts one signed event to STANDIN_STRIPE_WEBHOOK_URL, if set. */
async function postEvent(type: string, object: Obj): Promise<void> {
  const url = process.env.STANDIN_STRIPE_WEBHOOK_URL;
  const secret = process.env.STANDIN_STRIPE_WEBHOOK_SECRET;
  if (!url || !secret) return;
  const payload = JSON.stringify({ id: id("evt"), object: "event", type, created: now(), data: { object }, livemode: false });
  const t = now();
  const v1 = createHmac("sha256", secret).update(`${t}.${payload}`).digest("hex");
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "stripe-signature": `t=${t},v1=${v1}` }, body: payload });
  if (!res.ok) console.error(`standin stripe: webhook answered ${res.status}`);
}

/**
 * Marks a session paid and posts, signed, charge.succeeded (the card: VISA 4242) and
 * checkout.session.completed, whose customer_details carry the billing details the page collects
 * when the session asked for them (STANDIN_BILLING_DETAILS).
 */
async function pay(s: Session): Promise<void> {
  if (s.payment_status !== "paid") {
    const details = (s.requested_params as string[]).includes("tax_id_collection") ? { customer_details: STANDIN_BILLING_DETAILS } : {};
    Object.assign(s, { payment_status: "paid", status: "complete", payment_intent: id("pi"), ...details });
  }
  const { url: _url, ...object } = s;
  await postEvent("charge.succeeded", standinCharge(String(s.payment_intent), s.amount_total));
  await postEvent("checkout.session.completed", object);
}

/** Handles /stripe/*; returns false for paths it does not know (the server then answers 404). */
export async function handleStripe(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const method = req.method ?? "GET";
  const path = url.pathname.slice("/stripe".length);
  if (method === "GET" && path === "/__stats") {
    sendJson(res, 200, {
      customers: [...customers.values()], sessions: [...sessions.values()], refunds, requests, payment_intents: paymentIntents,
      subscriptions: [...subscriptions.values()], subscription_updates: subscriptionUpdates,
    });
    return true;
  }
  // Test hook: Stripe forgets idempotency keys after 24 hours; POST { key } forgets one now.
  if (method === "POST" && path === "/__forget_idempotency") {
    const { key: forget } = JSON.parse((await readBody(req)) || "{}") as { key?: string };
    let forgotten = 0;
    for (const k of [...replies.keys()]) if (forget && k.endsWith(`\n${forget}`) && replies.delete(k)) forgotten++;
    sendJson(res, 200, { forgotten });
    return true;
  }
  const pay_ = /^\/pay\/(cs_test_[0-9a-f]+)$/.exec(path);
  if (method === "GET" && pay_) {
    const s = sessions.get(pay_[1]!);
    if (!s) {
      stripeError(res, 404, "resource_missing", "No such checkout session");
      return true;
    }
    await pay(s);
    res.writeHead(303, { location: s.success_url.replace("{CHECKOUT_SESSION_ID}", s.id) }).end();
    return true;
  }
  if (!path.startsWith("/v1/")) return false;
  if (!(req.headers.authorization ?? "").startsWith("Bearer sk_test_")) {
    stripeError(res, 401, "invalid_api_key", "Invalid API Key provided.");
    return true;
  }
  const key = (req.headers["idempotency-key"] as string | undefined) ?? null;
  requests.push({ method, path, idempotency_key: key });
  const get = /^\/v1\/checkout\/sessions\/(cs_test_[0-9a-f]+)$/.exec(path);
  if (method === "GET" && get) {
    const s = sessions.get(get[1]!);
    if (s) sendJson(res, 200, s);
    else stripeError(res, 404, "resource_missing", "No such checkout session");
    return true;
  }
  const getRefund = /^\/v1\/refunds\/(re_test_[0-9a-f]+)$/.exec(path);
  if (method === "GET" && getRefund) {
    const r = refunds.find((x) => x.id === getRefund[1]);
    if (r) sendJson(res, 200, r);
    else stripeError(res, 404, "resource_missing", "No such refund");
    return true;
  }
  const subPath = /^\/v1\/subscriptions\/(sub_test_[0-9a-f]+)$/.exec(path);
  if (method === "GET" && subPath) {
    const r = retrieveSubscription(subPath[1]!);
    sendJson(res, r.status, r.body);
    return true;
  }
  if (method !== "POST") return false;
  const params = parseForm(await readBody(req));
  const replay = key ? replies.get(`${path}\n${key}`) : undefined;
  if (replay) {
    sendJson(res, replay.status, replay.body, { "idempotent-replayed": "true" });
    return true;
  }
  if (key && inFlight.has(key)) {
    sendJson(res, 409, { error: { type: "idempotency_error", message: "There is currently another in-progress request using this Idempotent Key." } });
    return true;
  }
  if (path === "/v1/refunds" && String(params.payment_intent ?? "").startsWith("pi_slow_")) {
    if (key) inFlight.add(key);
    await new Promise((r) => setTimeout(r, SLOW_REFUND_MS));
    if (key) inFlight.delete(key);
  }
  const origin = `http://${req.headers.host ?? "127.0.0.1"}`;
  let reply: Reply;
  if (path === "/v1/customers") {
    const c = { id: id("cus"), object: "customer", email: params.email ?? null, metadata: params.metadata ?? {}, created: now() };
    customers.set(c.id, c);
    reply = { status: 200, body: c };
  } else if (path === "/v1/checkout/sessions") {
    reply = { status: 200, body: createSession(params, origin) };
  } else if (path === "/v1/refunds") {
    reply = createRefund(params, key);
  } else if (path === "/v1/payment_intents") {
    reply = createPaymentIntent(params);
  } else if (path === "/v1/subscriptions") {
    reply = createSubscription(params);
  } else if (subPath) {
    reply = updateSubscription(subPath[1]!, params, key);
  } else {
    return false;
  }
  if (key) replies.set(`${path}\n${key}`, { status: reply.status, body: reply.body });
  sendJson(res, reply.status, reply.body);
  // As Stripe does, a subscription's change is announced by a signed event (when a webhook URL is set).
  if (reply.event) await postEvent(reply.event.type, reply.event.object);
  return true;
}
