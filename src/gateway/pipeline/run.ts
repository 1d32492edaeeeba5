import type { Context } from "hono";
import { loadTokenizer } from "../../billing/tokenizer";
import { config, type GatewayConfig } from "../../config";
import type { BaseEnv, Env } from "../../env";
import { ApiError } from "../../errors";
import { newId } from "../../lib/ids";
import { droppedParamsHeader } from "../../providers/chat-policy";
import type { TransformContext } from "../../providers/transform";
import { healthHooks } from "../channel-health";
import { dispatchAdmitted, type Candidate, type ServedCall } from "../dispatch";
import { withProviderKeys } from "../byok";
import { admitRequest, type Admission } from "../meter";
import { worstCasePricing } from "../resolve";
import { SSE_HEADERS } from "../sse";
import { relayStream } from "../stream-relay";
import { billUsage, type BillingBasis } from "./bill";
import { servedHeaders } from "./headers";
import type { Caller, EndpointAdapter, Plan, PreAdmission, ServedContext } from "./types";

/** One admitted, dispatched request on its way back to the client. */
interface Flight {
  a: EndpointAdapter;
  admission: Admission;
  basis: BillingBasis;
  call: ServedCall;
  s: ServedContext;
  headers: Record<string, string>;
  pre: PreAdmission;
  cfg: GatewayConfig;
}

const unreadable = (provider: string) =>
  new ApiError(502, "upstream_bad_response", `The provider '${provider}' sent an unreadable answer. Nothing was charged.`);

/**
 * The metered pipeline, the same for every endpoint: plan (models, candidates, prompt, priced
 * options; nothing reserved if it throws) → the endpoint's pre-admission step → admission in the
 * user's Durable Object → dispatch with retries and fallbacks → the answer or the stream, billed
 * by one usage rule (bill.ts) and settled exactly once.
 */
export async function runMetered<E extends BaseEnv>(c: Context<E>, a: EndpointAdapter, caller: Caller): Promise<Response> {
  const cfg = config(c.env);
  await loadTokenizer();
  const plan = await a.plan(c.env, cfg);
  const pre = (await a.beforeAdmission?.(c.env, caller, plan)) ?? {};
  const promptEstimate = plan.prompt.estimate + (pre.extraPromptTokens ?? 0);
  const admission = await admitRequest(c.env, c.executionCtx, cfg, {
    userId: caller.userId, keyHash: caller.keyHash, requestId: newId(a.idPrefix), model: plan.models[0]!, models: plan.models,
    pricing: worstCasePricing(plan.models), promptTokensEstimate: promptEstimate, requestedMaxOutput: plan.requestedMaxOutput,
    endpoint: a.endpoint, stream: plan.stream, routeReason: plan.routeReason ?? null, extra: pre.admitExtra, oneHourCache: plan.oneHourCache,
  });
  // From here on the request holds a reservation: it runs to its settlement even if the client
  // leaves (docs/billing.md, "A non-streamed request whose client left").
  // A chained /responses request: the stored conversation the wallet reserved for is part of the prompt.
  const flight = serve(c, a, cfg, plan, pre, admission, promptEstimate + admission.chainTokens);
  c.executionCtx.waitUntil(flight.catch(() => undefined));
  return flight;
}

async function serve<E extends BaseEnv>(c: Context<E>, a: EndpointAdapter, cfg: GatewayConfig, plan: Plan, pre: PreAdmission, admission: Admission, promptEstimate: number): Promise<Response> {
  const requestId = admission.params.requestId;
  const created = Math.floor(Date.now() / 1000);
  const context = (cand: Candidate): TransformContext => ({
    requestId, model: cand.model.id, upstreamModel: cand.channel.upstreamModel, created,
    outputCap: admission.outputCap === null ? null : Math.min(admission.outputCap, cand.model.maxOutputTokens ?? admission.outputCap),
  });
  const dropped = new Map<Candidate, string[] | undefined>();
  let candidates: Candidate[];
  try {
    candidates = await withProviderKeys(c.env, admission.params.userId, plan.candidates, admission.byok);
  } catch (err) {
    throw admission.fail(err);
  }
  const call = await dispatchAdmitted(admission, candidates, {
    stream: plan.stream, attemptTimeoutMs: cfg.upstreamTimeoutMs, deadline: admission.startedAt + cfg.requestDeadlineMs,
    ...healthHooks(c.env, c.executionCtx),
    build: (cand) => {
      const built = a.build(cand, context(cand));
      dropped.set(cand, built.dropped);
      return built;
    },
  });
  const f: Flight = {
    a, admission, call, pre, cfg,
    basis: { prompt: plan.prompt, promptEstimate, outputAllowance: admission.outputAllowance },
    s: { candidate: call.candidate, served: call.served, requestId, transform: context(call.candidate), promptEstimate },
    headers: { ...servedHeaders(admission, call.served), ...plan.headers, ...a.headers?.(requestId), ...droppedParamsHeader(dropped.get(call.candidate)) },
  };
  return plan.stream ? streamed(f) : answered(f);
}

function streamed(f: Flight): Response {
  const { a, admission, call, s } = f;
  call.call.clearTimeout();
  const body = call.call.response.body;
  if (!body || !a.stream) throw admission.fail(new ApiError(502, "upstream_error", `The provider '${s.served.provider}' sent an empty stream. Nothing was charged.`), s.served);
  const out = relayStream(body, {
    admission, served: s.served, basis: f.basis, idleTimeoutMs: f.cfg.upstreamTimeoutMs, ...a.stream(s),
    settleExtra: (billed) => ({ ...f.pre.settleExtra, ...a.settleFields?.(billed, null) }),
    afterSettle: (r) => a.afterSettle?.({ usage: r.usage, source: r.source, charge: r.charge, served: s.served, requestId: s.requestId, upstreamBody: null }),
  });
  return new Response(out, { headers: { ...SSE_HEADERS, ...f.headers } });
}

async function answered(f: Flight): Promise<Response> {
  const { a, admission, call, s } = f;
  let json: unknown;
  let answer;
  try {
    json = await call.call.response.json();
    answer = a.read(json, s);
  } catch (err) {
    throw admission.fail(err instanceof ApiError ? err : unreadable(s.served.provider), s.served);
  } finally {
    call.call.clearTimeout();
  }
  const billed = billUsage(answer.reported, f.basis, s.served, { text: answer.output, chunks: answer.output ? 1 : 0, streamed: false });
  const charge = admission.settle({ status: "success", httpStatus: 200, errorCode: null, usage: billed.usage, usageSource: billed.source }, s.served,
    { ...f.pre.settleExtra, ...a.settleFields?.(billed, json) });
  a.afterSettle?.({ ...billed, charge, served: s.served, requestId: s.requestId, upstreamBody: json });
  return new Response(JSON.stringify(answer.body(billed, charge)), { headers: { "content-type": "application/json", ...f.headers } });
}
