// OpenAI-compatible routes: /{openai,deepseek,xai,...}/v1/chat/completions and /embeddings.
import { loadFixture, mustLoad } from "./fixtures.js";
import { handle, serveFixture, type Adapter } from "./handler.js";
import { nowSec, sendReply, type Ctx, type Reply, type Usage } from "./http.js";
import { INTERNAL_DETAIL, parseScenario, type ErrorStatus } from "./scenarios.js";

export const OPENAI_PREFIXES = ["openai", "deepseek", "xai", "groq", "moonshot", "mistral", "other"] as const;

function openaiError(
  status: number,
  message: string,
  type: string,
  code: string | null,
  headers?: Record<string, string>,
): Reply {
  return { status, headers, body: { error: { message, type, param: null, code } } };
}

function openaiUsage(u: Usage) {
  return { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.total ?? u.prompt + u.completion };
}

/** `chatcmpl-echo` for echo, `chatcmpl-standin` for the generated streams. */
function idOf(ctx: Ctx): string {
  return ctx.model === "echo" || ctx.model === "mirror" ? "chatcmpl-echo" : "chatcmpl-standin";
}

function modelOf(ctx: Ctx): string {
  return ctx.model || "gpt-4.1-nano-2025-04-14";
}

export const openaiAdapter: Adapter = {
  api: "chat",
  defaultFixture: "openai/chat/openai-text",

  error(status: ErrorStatus, ctx: Ctx, message?: string): Reply {
    switch (status) {
      case 400:
        return { status, body: mustLoad("openai/chat/reasoning-model-legacy-parameter-error").json };
      case 401:
        return openaiError(
          401,
          `Incorrect API key provided: ${ctx.apiKey}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          "invalid_request_error",
          "invalid_api_key",
        );
      case 404:
        return openaiError(404, message ?? `The model '${ctx.model}' does not exist`, "invalid_request_error", "model_not_found");
      case 429:
        return openaiError(
          429,
          "Rate limit reached for gpt-4.1-nano in organization org-standin on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 7s. Visit https://platform.openai.com/account/rate-limits to learn more.",
          "requests",
          "rate_limit_exceeded",
          { "retry-after": "7" },
        );
      case 500:
        return openaiError(
          500,
          `The server had an error while processing your request. Sorry about that! (${INTERNAL_DETAIL})`,
          "server_error",
          null,
        );
      case 503:
        return openaiError(503, `The engine is currently overloaded, please try again later. (${INTERNAL_DETAIL})`, "server_error", null);
    }
  },

  message(ctx, text, usage) {
    return {
      id: idOf(ctx),
      object: "chat.completion",
      created: nowSec(),
      model: modelOf(ctx),
      choices: [
        { index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs: null, finish_reason: "stop" },
      ],
      usage: openaiUsage(usage),
    };
  },

  events(ctx, pieces, usage) {
    const created = nowSec();
    const base = { id: idOf(ctx), object: "chat.completion.chunk", created, model: modelOf(ctx) };
    const usageField = ctx.includeUsage ? { usage: null } : {};
    const deltas = pieces.map((content, i) => ({
      ...base,
      choices: [{ index: 0, delta: i === 0 ? { role: "assistant", content } : { content }, logprobs: null, finish_reason: null }],
      ...usageField,
    }));
    const tail: unknown[] = [
      { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }], ...usageField },
    ];
    if (ctx.includeUsage) tail.push({ ...base, choices: [], usage: openaiUsage(usage) });
    return { head: [], deltas, tail };
  },
};

export function handleChat(ctx: Ctx): Promise<void> {
  return handle(openaiAdapter, ctx);
}

/** Embeddings: fixtures, errors and hang; anything else gets the recorded embedding. */
export async function handleEmbeddings(ctx: Ctx): Promise<void> {
  const sc = parseScenario(ctx.model);
  if (sc.kind === "hang") return;
  if (sc.kind === "error") return sendReply(ctx, openaiAdapter.error(sc.status, ctx));
  let name = "openai/embeddings/openai-embedding";
  if (sc.kind === "fixture") {
    if (!loadFixture(sc.name)) return sendReply(ctx, openaiAdapter.error(404, ctx, `standin: no fixture '${sc.name}'`));
    name = sc.name;
  }
  return serveFixture({ ...ctx, stream: false }, mustLoad(name), {});
}

/**
 * OpenAI Responses API: `fixture:` (served with the Responses `event:` framing), errors and hang;
 * anything else gets openai/responses/openai-phase.1. `fixture:<name>@<k>` serves the k-th
 * (1-based) of several responses recorded in one chunks file, split before each response.created.
 */
export async function handleResponses(ctx: Ctx): Promise<void> {
  const sc = parseScenario(ctx.model);
  if (sc.kind === "hang") return;
  if (sc.kind === "error") return sendReply(ctx, openaiAdapter.error(sc.status, ctx));
  let name = "openai/responses/openai-phase.1";
  let part: number | null = null;
  if (sc.kind === "fixture") {
    const m = /^(.*)@(\d+)$/.exec(sc.name);
    name = m ? m[1]! : sc.name;
    part = m ? Number(m[2]) : null;
    if (!loadFixture(name)) return sendReply(ctx, openaiAdapter.error(404, ctx, `standin: no fixture '${name}'`));
  }
  const fixture = mustLoad(name);
  if (part !== null && fixture.lines) {
    const parts: string[][] = [];
    for (const line of fixture.lines) {
      if ((JSON.parse(line) as { type?: string }).type === "response.created" || parts.length === 0) parts.push([]);
      parts.at(-1)!.push(line);
    }
    return serveFixture(ctx, { ...fixture, lines: parts[part - 1] ?? [] }, {});
  }
  return serveFixture(ctx, fixture, {});
}
