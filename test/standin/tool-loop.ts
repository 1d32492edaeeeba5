// The `tool-loop` chat scenario: OpenAI's documented function-calling loop. While the request
// holds fewer than two `tool` messages and offers a function tool, the answer calls that tool
// (city Paris, then Rome); after that it answers in text. Every message carries
// `refusal: null` and `annotations: []`, as OpenAI's answers do, so a client that appends the
// returned message unchanged sends them back.
import { isObject } from "./fixtures.js";
import { nowSec, sendJson, type Ctx } from "./http.js";
import { startStream, write } from "./sse.js";

export const TOOL_LOOP = "tool-loop";
const CITIES = ["Paris", "Rome"] as const;
const USAGE = { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 };

interface Turn {
  toolName: string | null;
  n: number;
}

function turn(body: Record<string, unknown>): Turn {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const n = messages.filter((m) => isObject(m) && m.role === "tool").length;
  const tool = (Array.isArray(body.tools) ? body.tools : []).find((t) => isObject(t) && t.type === "function");
  const fn = isObject(tool) && isObject(tool.function) ? tool.function : null;
  return { toolName: n < CITIES.length && fn && typeof fn.name === "string" ? fn.name : null, n };
}

function message(t: Turn) {
  if (t.toolName === null) {
    return { role: "assistant", content: "Paris 21°C, Rome 24°C.", refusal: null, annotations: [] };
  }
  const call = { id: `call_loop_${t.n}`, type: "function", function: { name: t.toolName, arguments: JSON.stringify({ city: CITIES[t.n] }) } };
  return { role: "assistant", content: null, tool_calls: [call], refusal: null, annotations: [] };
}

export async function handleToolLoop(ctx: Ctx): Promise<void> {
  const t = turn(ctx.body);
  const msg = message(t);
  const finish = t.toolName === null ? "stop" : "tool_calls";
  const base = { id: `chatcmpl-loop${t.n}`, created: nowSec(), model: TOOL_LOOP, service_tier: "default", system_fingerprint: "fp_standin" };
  if (!ctx.stream) {
    return sendJson(ctx.res, 200, {
      ...base, object: "chat.completion", choices: [{ index: 0, message: msg, logprobs: null, finish_reason: finish }], usage: USAGE,
    });
  }
  const chunk = (delta: unknown, finishReason: string | null) => ({
    ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
  const { tool_calls, ...rest } = msg as typeof msg & { tool_calls?: Array<Record<string, unknown>> };
  const events: unknown[] = [
    chunk({ ...rest, ...(tool_calls ? { tool_calls: tool_calls.map((c, index) => ({ index, ...c })) } : {}) }, null),
    chunk({}, finish),
  ];
  if (ctx.includeUsage) events.push({ ...base, object: "chat.completion.chunk", choices: [], usage: USAGE });
  startStream(ctx.res, "text/event-stream");
  for (const e of events) if (!(await write(ctx.res, ctx.live, `data: ${JSON.stringify(e)}\n\n`))) return;
  if (await write(ctx.res, ctx.live, "data: [DONE]\n\n")) ctx.res.end();
}
