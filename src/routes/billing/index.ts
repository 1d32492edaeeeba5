import { Hono } from "hono";
import type { Env } from "../../env";

/** Top-ups, balance history and refunds at /api/billing (session), and Stripe's webhook. */
export function billingApi() {
  const api = new Hono<{ Bindings: Env }>();
  return api;
}
