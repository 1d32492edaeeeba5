import { formatUsd } from "../lib/money";
import { findUsableKey, isRefusal } from "./keys";
import { pruneRateEvents, rateWindow, recordRateEvent } from "./rate-limit";
import { MIN_OUTPUT_ALLOWANCE, planReservation, type ReservationPlan } from "./reservation";
import { memberRoom, type MemberInfo } from "./members";
import { planModelRefusal } from "./plan-limits";
import { num } from "./storage";
import { maxChargeWithin, openHolds } from "./overdraft";
import type { AdmitInput, AdmitResult, KeyInfo, RateInfo, Refusal, SpendPeriod } from "./types";

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

const PERIOD_WORDS: Record<SpendPeriod, string> = {
  daily: " for today (UTC); it resets at midnight UTC",
  weekly: " for this week; it resets on Monday 00:00 UTC",
  monthly: " for this month; it resets on the 1st at 00:00 UTC",
  total: "",
};

/**
 * Admission in one synchronous step inside the user's Durable Object: verify the key,
 * check account state, model allow-list, rate and concurrency limits, spend limit, and
 * reserve the most the request can cost. Nothing is written unless the request is admitted.
 */
export function admit(sql: SqlStorage, input: AdmitInput, balanceNano: number, accountStatus: string): AdmitResult {
  const { now, settings } = input;
  const key = findUsableKey(sql, input.keyHash, now);
  if (isRefusal(key)) return key;
  if (accountStatus !== "active") return statusRefusal(accountStatus);
  const denied = key.models && (input.models ?? [input.model]).find((id) => !key.models!.includes(id));
  if (denied) {
    return { ok: false, status: 403, code: "model_not_allowed", message: `This API key may not use the model '${denied}'.` };
  }
  const notInPlan = planModelRefusal(sql, input.models ?? [input.model]);
  if (notInPlan) return notInPlan;

  pruneRateEvents(sql, now);
  const rate = rateWindow(sql, key, now, settings);
  const limited = (code: string, message: string, retryMs: number): Refusal => ({
    ok: false, status: 429, code, message, rate, retryAfterSeconds: seconds(retryMs),
  });
  if (rate.remainingRequests <= 0) {
    return limited("rate_limit_exceeded", `Rate limit reached: ${rate.limitRequests} requests per minute for this key.`, rate.resetRequestsMs);
  }
  if (key.maxConcurrency !== null) {
    const inFlight = num(sql, "SELECT count(*) FROM requests WHERE key_id = ? AND state = 'reserved'", key.id);
    if (inFlight >= key.maxConcurrency) {
      return limited("concurrency_limit_exceeded", `Too many concurrent requests: this key allows ${key.maxConcurrency}.`, 1000);
    }
  }

  // Σ reservations and Σ overdraft shares of the open requests, in one scan (./overdraft.ts).
  const open = openHolds(sql);
  const holds = open.reservedNano;
  const keyRoom = key.spendLimitNano === null ? null
    : key.spendLimitNano - key.periodSpentNano - num(sql, "SELECT coalesce(sum(reserved_nano), 0) FROM requests WHERE key_id = ? AND state = 'reserved'", key.id);
  // An organization's key: the member's spend limit binds too, in this same step (./members.ts).
  const member = key.memberId ? memberRoom(sql, key.memberId, now) : null;
  if (member && isRefusal(member)) return member;
  const memberBinds = member?.room != null && (keyRoom === null || member.room < keyRoom);
  const room = memberBinds ? member!.room : keyRoom;
  const limitRefusal = () => (memberBinds ? memberLimitRefusal(member!.member, rate) : spendLimitRefusal(key, rate));
  const planned = planAllowance(input, balanceNano - holds, room, rate);
  const { plan } = planned;
  if (!plan.ok) {
    if (planned.limitedByKey) return limitRefusal();
    const hint = input.requestedMaxOutput !== null && input.requestedMaxOutput > 0 && input.outputPrice > 0 && plan.affordableOutput > 0
      ? ` You asked for up to ${input.requestedMaxOutput} output tokens but can afford ${plan.affordableOutput}; lower max_tokens or add credits.`
      : " Add credits to continue.";
    return {
      ok: false, status: 402, code: "insufficient_credits", rate,
      message: `Insufficient credits: this request may cost up to ${formatUsd(plan.neededNano)} USD and ${formatUsd(Math.max(0, balanceNano - holds))} USD is available.${hint}`,
    };
  }
  // Reserved output counts against the tokens-per-minute limit as well as the prompt.
  const rateTokens = input.promptTokensEstimate + plan.outputAllowance;
  if (rateTokens > rate.remainingTokens && rate.remainingTokens < rate.limitTokens) {
    return limited("token_rate_limit_exceeded", `Rate limit reached: ${rate.limitTokens} tokens per minute for this key.`, rate.resetTokensMs);
  }
  // Like the balance: what the key was charged this period, plus its open reservations, plus this one.
  if (room !== null && plan.amountNano > room) return limitRefusal();

  const maxChargeNano = maxChargeWithin(plan.amountNano, settings.overdraftNano ?? 0, open.overdraftNano);
  sql.exec(
    "INSERT INTO requests (request_id, key_id, model, state, reserved_nano, created_at, expires_at, rate_tokens, max_charge_nano) VALUES (?, ?, ?, 'reserved', ?, ?, ?, ?, ?)",
    input.requestId, key.id, input.model, plan.amountNano, now, now + settings.reservationTtlMs, rateTokens, maxChargeNano,
  );
  recordRateEvent(sql, key.id, now, rateTokens);
  // To the second: a busy key does not rewrite its row on every request.
  if (key.lastUsedAt === null || now < key.lastUsedAt || now - key.lastUsedAt >= 1000) sql.exec("UPDATE api_keys SET last_used_at = ? WHERE id = ?", now, key.id);
  return {
    ok: true,
    keyId: key.id,
    reservedNano: plan.amountNano,
    maxChargeNano,
    outputCap: plan.outputCap,
    outputAllowance: plan.outputAllowance,
    rate: { ...rate, remainingRequests: rate.remainingRequests - 1, remainingTokens: Math.max(0, rate.remainingTokens - rateTokens), resetRequestsMs: rate.resetRequestsMs || 60_000, resetTokensMs: rate.resetTokensMs || 60_000 },
  };
}

/** Why a non-active account may not use the API. */
export function statusRefusal(status: string): Refusal {
  if (status === "unverified") {
    return { ok: false, status: 403, code: "email_not_verified", message: "Verify your email address before using the API: we sent you a link when you signed up." };
  }
  if (status === "disputed") {
    return { ok: false, status: 403, code: "account_disputed", message: "API access is paused while a card payment dispute on this account is open." };
  }
  if (status === "deleted") return { ok: false, status: 401, code: "account_deleted", message: "This account has been deleted." };
  return { ok: false, status: 403, code: "account_suspended", message: "API access for this account is suspended." };
}

function spendLimitRefusal(key: KeyInfo, rate: RateInfo): Refusal {
  const per = PERIOD_WORDS[key.spendLimitPeriod];
  return { ok: false, status: 403, code: "key_spend_limit_exceeded", rate, message: `This API key has reached its spend limit of ${formatUsd(key.spendLimitNano ?? 0)} USD${per}.` };
}

function memberLimitRefusal(m: MemberInfo, rate: RateInfo): Refusal {
  const per = PERIOD_WORDS[m.spendLimitPeriod];
  return { ok: false, status: 403, code: "member_spend_limit_exceeded", rate, message: `You have reached your member spend limit of ${formatUsd(m.spendLimitNano ?? 0)} USD in this organization${per}.` };
}

/**
 * The reservation (docs/billing.md, "A missing max_tokens"). With max_tokens, that allowance.
 * Without it, a realistic allowance rather than the whole balance: at most the model's maximum
 * output and DEFAULT_OUTPUT_ALLOWANCE, shrunk to what the balance affords, to the key's remaining
 * spend limit and to the key's remaining tokens per minute (never below MIN_OUTPUT_ALLOWANCE), and
 * then sent upstream as the output cap whenever it is below the model's maximum.
 */
function planAllowance(input: AdmitInput, available: number, keyRoom: number | null, rate: RateInfo): { plan: ReservationPlan; limitedByKey: boolean } {
  const open = input.requestedMaxOutput === null;
  const ceiling = Math.min(input.modelMaxOutput ?? input.settings.defaultAllowance, input.settings.defaultAllowance);
  const tpmRoom = rate.remainingTokens - input.promptTokensEstimate;
  const limitedByKey = open && keyRoom !== null && keyRoom < available;
  const plan = planReservation({
    inputPrice: input.inputPrice,
    outputPrice: input.outputPrice,
    promptTokensEstimate: input.promptTokensEstimate,
    requestedMaxOutput: input.requestedMaxOutput,
    modelMaxOutput: open ? Math.max(MIN_OUTPUT_ALLOWANCE, Math.min(ceiling, tpmRoom)) : input.modelMaxOutput,
    defaultAllowance: input.settings.defaultAllowance,
  }, limitedByKey ? keyRoom : available);
  if (!plan.ok || !open) return { plan, limitedByKey };
  // Below the model's real maximum the provider must be told, so the reservation bounds the output.
  const capped = input.modelMaxOutput === null || plan.outputAllowance < input.modelMaxOutput;
  return { plan: { ...plan, outputCap: capped ? plan.outputAllowance : null }, limitedByKey };
}
