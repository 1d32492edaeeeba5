// The Stripe client lives in src/lib/stripe-client.ts, so the wallet's Durable Object (auto top-up) can use it too.
export { requireStripe, stripeClient, stripeCrypto, stripeWebhooks } from "../../lib/stripe-client";
