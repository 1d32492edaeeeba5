import { nano, type Nano } from "./money";

/**
 * What a request is charged for a cost: never more than the most admission allowed it to be
 * charged (`maxChargeNano`: its reservation plus its share of the wallet's overdraft, see
 * src/account/overdraft.ts), never negative. The wallet's Durable Object and the gateway both use
 * this one function, so the cost a client is shown is the amount its balance lost.
 * Whatever of the cost is above the result is waived (a `waiver` ledger row, docs/billing.md).
 */
export function chargeFor(costNano: Nano, maxChargeNano: Nano): Nano {
  const cost = Math.max(0, Math.trunc(costNano));
  return nano(Math.min(cost, Math.max(0, Math.trunc(maxChargeNano))));
}
