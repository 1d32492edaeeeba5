import { costNano, type Nano } from "../lib/money";

/** Below this many affordable output tokens a request is refused with 402. */
export const MIN_OUTPUT_ALLOWANCE = 16;

export interface ReservationQuote {
  inputPrice: number;
  outputPrice: number;
  promptTokensEstimate: number;
  requestedMaxOutput: number | null;
  modelMaxOutput: number | null;
  defaultAllowance: number;
}

export type ReservationPlan =
  | { ok: true; amountNano: Nano; outputAllowance: number; outputCap: number | null }
  | { ok: false; affordableOutput: number; neededNano: Nano };

/**
 * The most a request can cost, reserved before the upstream call.
 * - With max_tokens: prompt estimate + max_tokens of output; refused if the balance cannot cover it.
 * - Without max_tokens: the output allowance shrinks to what the balance affords (never a false 402),
 *   and the gateway then caps the upstream with that many tokens (outputCap) so the reservation
 *   really is the most it can cost. Only when fewer than MIN_OUTPUT_ALLOWANCE tokens are
 *   affordable is the request refused.
 */
/** `availableNano`: the room (balance, key limit) in nUSD; a figure computed from several amounts, not itself money. */
export function planReservation(q: ReservationQuote, availableNano: number): ReservationPlan {
  const promptCost = costNano([[q.promptTokensEstimate, q.inputPrice]]);
  const outputCost = (tokens: number) => costNano([[q.promptTokensEstimate, q.inputPrice], [tokens, q.outputPrice]]);
  const affordable = q.outputPrice === 0
    ? Number.MAX_SAFE_INTEGER
    : Math.max(0, Math.floor(((availableNano - promptCost) * 1000) / q.outputPrice));

  if (q.requestedMaxOutput !== null) {
    const amount = outputCost(q.requestedMaxOutput);
    if (amount > availableNano) return { ok: false, affordableOutput: affordable, neededNano: amount };
    return { ok: true, amountNano: amount, outputAllowance: q.requestedMaxOutput, outputCap: null };
  }

  const ceiling = q.modelMaxOutput ?? q.defaultAllowance;
  let allowance = Math.min(ceiling, affordable);
  // Half-up rounding of the cost can add one nUSD: step down until it fits.
  while (allowance > 0 && outputCost(allowance) > availableNano) allowance--;
  const amount = outputCost(allowance);
  if (allowance < Math.min(MIN_OUTPUT_ALLOWANCE, ceiling) || amount > availableNano || promptCost > availableNano) {
    return { ok: false, affordableOutput: affordable, neededNano: outputCost(Math.min(MIN_OUTPUT_ALLOWANCE, ceiling)) };
  }
  const capped = q.modelMaxOutput === null || allowance < q.modelMaxOutput;
  return { ok: true, amountNano: amount, outputAllowance: allowance, outputCap: capped ? allowance : null };
}
