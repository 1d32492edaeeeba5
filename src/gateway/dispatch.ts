import type { CatalogModel, Channel } from "../catalog/catalog";
import { orderChannels, type HealthView } from "../health/health";
import type { GatewayConfig } from "../config";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { resolveProvider } from "../providers/registry";
import type { UpstreamRequest } from "../providers/transform";
import type { Provider } from "../providers/types";
import type { Admission, Served } from "./meter";
import { byokRejected } from "./byok";
import { noProvider } from "./resolve";
import { callUpstream, type UpstreamCall } from "./upstream";

/** One way to try a request: a model, one of its channels, and the configured provider behind it. */
export interface Candidate {
  model: CatalogModel;
  channel: Channel;
  provider: Provider;
}

/** OpenRouter-style provider preferences from the request. */
export interface ProviderPreferences {
  order?: string[];
  allow_fallbacks?: boolean;
  only?: string[];
  ignore?: string[];
}

/**
 * The ordered list of candidates: each model in turn (the requested one, then the `models`
 * fallbacks), and for each its channels by priority — providers named in `provider.order` first,
 * `only` / `ignore` applied, unconfigured providers skipped. With `allow_fallbacks: false` only the
 * first usable channel of each model is kept.
 */
export function planCandidates(env: Env, cfg: GatewayConfig, models: CatalogModel[], prefs: ProviderPreferences = {}, random: () => number = Math.random): Candidate[] {
  const out: Candidate[] = [];
  const rank = (p: string) => {
    const i = prefs.order?.indexOf(p) ?? -1;
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  for (const model of models) {
    const allowed = model.channels.filter((ch) => (!prefs.only || prefs.only.includes(ch.provider)) && !prefs.ignore?.includes(ch.provider));
    const channels = spreadByWeight(allowed, random)
      .map((ch, i) => ({ ch, i }))
      .sort((x, y) => rank(x.ch.provider) - rank(y.ch.provider) || x.i - y.i)
      .map(({ ch }) => ch);
    let kept = 0;
    for (const channel of channels) {
      if (prefs.allow_fallbacks === false && kept > 0) break;
      const provider = resolveProvider(env, channel.provider, cfg.demoProvider);
      if (!provider) continue;
      out.push({ model, channel, provider });
      kept++;
    }
  }
  return out;
}

/**
 * Channels by priority; within one priority, a weighted random order (a channel with weight 3 comes
 * first three times as often as one with weight 1), so traffic spreads as the catalog says.
 */
export function spreadByWeight(channels: readonly Channel[], random: () => number = Math.random): Channel[] {
  const out: Channel[] = [];
  const priorities = [...new Set(channels.map((c) => c.priority))].sort((a, b) => a - b);
  for (const priority of priorities) {
    const left = channels.filter((c) => c.priority === priority);
    while (left.length) {
      let pick = random() * left.reduce((sum, c) => sum + c.weight, 0);
      let i = 0;
      while (i < left.length - 1 && pick >= left[i]!.weight) pick -= left[i++]!.weight;
      out.push(...left.splice(i, 1));
    }
  }
  return out;
}

/**
 * Before admission: keeps the candidates whose provider can express the request, so a request
 * no provider can honour gets its 400 without reserving, counting or logging anything.
 */
export function buildable(candidates: Candidate[], build: (candidate: Candidate) => unknown): Candidate[] {
  let refusal: ApiError | null = null;
  const ok = candidates.filter((c) => {
    try {
      build(c);
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) { refusal ??= err; return false; }
      throw err;
    }
  });
  if (!ok.length && refusal) throw refusal;
  return ok;
}

/**
 * No candidate: a 400 when the caller's own provider preferences excluded every provider that
 * could serve, else a 503 (the gateway has no configured provider for it).
 */
export function noCandidate(env: Env, cfg: GatewayConfig, models: CatalogModel[], prefs: ProviderPreferences | undefined): ApiError {
  if (prefs && planCandidates(env, cfg, models).length > 0) {
    return new ApiError(400, "no_allowed_provider", `provider.order / only / ignore exclude every provider that can serve '${models[0]!.id}'.`, { param: "provider", type: "invalid_request_error" });
  }
  return noProvider(models[0]!.id);
}

/** What the dispatcher learned from one failed attempt (for shared channel health). */
export type AttemptOutcome = "success" | "failure" | "rate_limited";

export interface DispatchOptions {
  stream: boolean;
  /** First-byte timeout of one attempt. */
  attemptTimeoutMs: number;
  /** Deadline for all attempts together (ms since epoch). */
  deadline: number;
  /** Builds the provider request for a candidate; may throw ApiError(400) if it cannot honour a parameter. */
  build(candidate: Candidate): UpstreamRequest;
  /** Told about every attempt's outcome (health reporting); must not throw. */
  report?(candidate: Candidate, outcome: AttemptOutcome, retryAfterSeconds?: number): void;
  /** Shared channel health; consulted only when there is more than one candidate. Must not throw. */
  health?: {
    /** The view without taking a probe slot, for ordering. */
    peek(candidate: Candidate): Promise<HealthView>;
    /** Right before trying a channel that is not closed: takes the half-open probe slot if free. */
    check(candidate: Candidate): Promise<HealthView>;
  };
}

export interface Dispatched {
  call: UpstreamCall;
  candidate: Candidate;
  attempts: number;
}

/** Errors worth trying again elsewhere: rate limits, provider failures, connection failures, timeouts. */
function retryable(err: ApiError): AttemptOutcome | null {
  if (err.status === 429) return "rate_limited";
  if (err.status >= 500) return "failure";
  return null;
}

/** Same-channel tries for a provider failure before moving on (a 429 moves on at once). */
const TRIES_PER_CHANNEL = 2;

/**
 * Tries candidates in order until one answers. On 429, 5xx, a connection failure or a timeout
 * before the first byte it moves on (a failing channel gets one more try first); a 400-class
 * answer ends the request at once, since another provider would reject it too. Throws the last
 * error, carrying the number of attempts, when nothing served.
 */
export async function dispatch(candidates: Candidate[], o: DispatchOptions): Promise<Dispatched> {
  let attempts = 0;
  let last: ApiError | null = null;
  let unsupported: ApiError | null = null;
  const { order, views } = await byHealth(candidates, o.health);
  const refused: Candidate[] = [];
  // Health is shared only where there is a choice to make: with a single candidate nothing is reported.
  const report = candidates.length > 1 ? o.report : undefined;
  let lastTried: Candidate | null = null;
  const queue = [...order];
  for (let candidate = queue.shift(); candidate; candidate = queue.shift() ?? refused.shift()) {
    const view = views.get(candidate);
    if (view && view.state !== "closed" && o.health && (queue.length > 0 || refused.length > 0)) {
      const now = await o.health.check(candidate);
      // An open channel (or a half-open one whose probe is taken) waits until the others were tried;
      // when nothing else is left it is still tried rather than refusing the request.
      if (!now.allow && queue.length > 0) { refused.push(candidate); continue; }
    }
    let request: UpstreamRequest;
    try {
      request = o.build(candidate);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) { unsupported ??= err; continue; }
      throw err;
    }
    for (let tryNo = 0; tryNo < TRIES_PER_CHANNEL; tryNo++) {
      const left = o.deadline - Date.now();
      if (left <= 0) throw new DispatchError(new ApiError(504, "upstream_timeout", "No provider answered before the request deadline. Nothing was charged."), attempts, candidate);
      attempts++;
      lastTried = candidate;
      try {
        const call = await callUpstream(candidate.provider, request, o.stream, Math.min(o.attemptTimeoutMs, left));
        report?.(candidate, "success");
        return { call, candidate, attempts };
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        // The caller's own key refused: named in the error; the gateway's key only if they allowed it. Not a channel failure.
        if (candidate.provider.byok && err.code === "upstream_auth_failed") {
          last = byokRejected(candidate.provider.name);
          if (!candidate.provider.byok.allowFallback) throw new DispatchError(last, attempts, candidate);
          break;
        }
        const outcome = retryable(err);
        if (!outcome) throw new DispatchError(err, attempts, candidate);
        const retryAfter = Number(err.options.headers?.["retry-after"]);
        report?.(candidate, outcome, Number.isFinite(retryAfter) ? retryAfter : undefined);
        last = err;
        if (outcome === "rate_limited" || err.code === "upstream_auth_failed") break;
      }
    }
  }
  if (last) throw new DispatchError(last, attempts, lastTried);
  if (unsupported) throw new DispatchError(unsupported, attempts, null);
  throw new DispatchError(new ApiError(503, "provider_not_configured", "No configured provider can serve this model.", { param: "model" }), attempts, null);
}

/**
 * Orders each model's channels by shared health (healthy, cooling down after a 429, half-open
 * probes at their priority position, open last), keeping the model order. One candidate: as is.
 */
async function byHealth(candidates: Candidate[], health: DispatchOptions["health"]): Promise<{ order: Candidate[]; views: Map<Candidate, HealthView> }> {
  const views = new Map<Candidate, HealthView>();
  if (!health || candidates.length < 2) return { order: candidates, views };
  const list = await Promise.all(candidates.map((c) => health.peek(c)));
  candidates.forEach((c, i) => views.set(c, list[i]!));
  const order: Candidate[] = [];
  for (const model of new Set(candidates.map((c) => c.model))) {
    const group = candidates.filter((c) => c.model === model);
    const ordered = orderChannels(group.map((c) => ({ ...c.channel, candidate: c })), group.map((c) => views.get(c)), { probesInPlace: true });
    order.push(...ordered.map((ch) => ch.candidate));
  }
  return { order, views };
}

/** A dispatch failure: the error for the client, and what was tried (for the usage record). */
export class DispatchError extends Error {
  constructor(readonly error: ApiError, readonly attempts: number, readonly candidate: Candidate | null) {
    super(error.message);
  }
}

/** A dispatch for an admitted request: the call, and who served it (model, provider, attempts). */
export interface ServedCall extends Dispatched { served: Served }

/**
 * dispatch() for an admitted request: returns who served and after how many attempts; on
 * failure settles the reservation for the candidate last tried (nothing charged) and throws the
 * client error.
 */
export async function dispatchAdmitted(admission: Admission, candidates: Candidate[], o: DispatchOptions): Promise<ServedCall> {
  try {
    const d = await dispatch(candidates, o);
    return { ...d, served: { model: d.candidate.model, provider: d.candidate.provider.name, attempts: d.attempts, ...(d.candidate.provider.byok ? { byok: true } : {}) } };
  } catch (err) {
    if (err instanceof DispatchError) {
      const tried = err.candidate ?? candidates[0]!;
      throw admission.fail(err.error, { model: tried.model, provider: tried.provider.name, attempts: err.attempts });
    }
    throw admission.fail(err);
  }
}
