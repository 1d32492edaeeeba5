// Provider answers for the recording stand-in, built from the real recorded provider responses
// in /work/shared/fixtures/providers (or test/fixtures/providers). Tool calls reuse the recorded
// shapes with the tool name and arguments of the request, so the clients' tool loops proceed.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOTS = [
  fileURLToPath(new URL("../../test/fixtures/providers/", import.meta.url)),
  "/work/shared/fixtures/providers/",
];

function root() {
  const r = ROOTS.find((p) => existsSync(`${p}openai/chat/openai-text.json`));
  if (!r) throw new Error(`recorded provider fixtures not found in ${ROOTS.join(" or ")}`);
  return r;
}

export const json = (name) => JSON.parse(readFileSync(`${root()}${name}.json`, "utf8"));
export const lines = (name) =>
  readFileSync(`${root()}${name}.chunks.txt`, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));

/** A value that satisfies a (simple) JSON schema: the arguments a model would send. */
export function sample(schema) {
  if (!schema || typeof schema !== "object") return "Paris";
  if (Array.isArray(schema.anyOf)) return sample(schema.anyOf[0]);
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "object": {
      const out = {};
      for (const [k, v] of Object.entries(schema.properties ?? {})) out[k] = sample(v);
      return out;
    }
    case "array":
      return [sample(schema.items)];
    case "number":
    case "integer":
      return 21;
    case "boolean":
      return true;
    default:
      return "Paris";
  }
}

const pieces = (text, n = 4) => {
  const size = Math.max(1, Math.ceil(text.length / n));
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [""];
};

// ---------- OpenAI Chat Completions ----------

/** What an OpenAI chat request should get: a tool call, structured JSON or the recorded text. */
export function chatPlan(body) {
  const tools = (body.tools ?? []).filter((t) => t.type === "function");
  const toolResults = (body.messages ?? []).filter((m) => m.role === "tool").length;
  if (tools.length && toolResults < 2 && body.tool_choice !== "none") {
    const fn = tools[0].function;
    return { kind: "tool", name: fn.name, args: JSON.stringify(sample(fn.parameters)), n: toolResults };
  }
  const format = body.response_format;
  if (format?.type === "json_schema") return { kind: "text", text: JSON.stringify(sample(format.json_schema?.schema)) };
  if (format?.type === "json_object") return { kind: "text", text: JSON.stringify({ answer: "Paris" }) };
  return { kind: "recorded" };
}

/** Non-streamed chat.completion, shaped like OpenAI's (refusal: null, annotations: []). */
export function chatJson(body, plan) {
  const base = json("openai/chat/openai-text");
  const message = { role: "assistant", content: base.choices[0].message.content, refusal: null, annotations: [] };
  let finish = "stop";
  if (plan.kind === "text") message.content = plan.text;
  if (plan.kind === "tool") {
    const recorded = json("others/xai/xai-tool-call").choices[0].message.tool_calls[0];
    message.content = null;
    message.tool_calls = [{ ...recorded, id: `call_rec${plan.n}`, function: { name: plan.name, arguments: plan.args } }];
    finish = "tool_calls";
  }
  return { ...base, model: base.model, choices: [{ index: 0, message, logprobs: null, finish_reason: finish }] };
}

/** chat.completion.chunk payloads (without [DONE]). */
export function chatChunks(body, plan) {
  const includeUsage = body.stream_options?.include_usage === true;
  const recorded = lines("openai/chat/openai-text");
  if (plan.kind === "recorded") return recorded.filter((c) => includeUsage || c.choices.length > 0);
  const head = recorded[0];
  const base = { id: head.id, object: "chat.completion.chunk", created: head.created, model: head.model, service_tier: "default", system_fingerprint: null };
  const usageField = includeUsage ? { usage: null } : {};
  const chunk = (delta, finish = null) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...usageField });
  const out = [];
  if (plan.kind === "text") {
    out.push(chunk({ role: "assistant", content: "", refusal: null }));
    for (const p of pieces(plan.text)) out.push(chunk({ content: p }));
    out.push(chunk({}, "stop"));
  } else {
    const call = { index: 0, id: `call_rec${plan.n}`, type: "function", function: { name: plan.name, arguments: "" } };
    out.push(chunk({ role: "assistant", content: null, tool_calls: [call], refusal: null, annotations: [] }));
    for (const p of pieces(plan.args)) out.push(chunk({ tool_calls: [{ index: 0, function: { arguments: p } }] }));
    out.push(chunk({}, "tool_calls"));
  }
  if (includeUsage) out.push({ ...base, choices: [], usage: recorded.at(-1).usage });
  return out;
}

// ---------- Anthropic Messages ----------

const hasToolResult = (m) => Array.isArray(m.content) && m.content.some((b) => b.type === "tool_result");

/** The tool to call and its input; Claude Code's Read gets the file named in the prompt. */
export function messagesPlan(body, readPath) {
  const tools = (body.tools ?? []).filter((t) => t.input_schema);
  const last = body.messages?.at(-1);
  if (!tools.length || !last || hasToolResult(last) || body.tool_choice?.type === "none") return { kind: "recorded" };
  const read = tools.find((t) => t.name === "Read");
  if (read) return { kind: "tool", name: "Read", input: { file_path: readPath } };
  return { kind: "tool", name: tools[0].name, input: sample(tools[0].input_schema) };
}

export function messagesJson(body, plan) {
  if (plan.kind === "recorded") return { ...json("anthropic/anthropic-text"), model: body.model };
  const rec = json("anthropic/anthropic-tool-no-args");
  const content = [rec.content[0], { ...rec.content[1], name: plan.name, input: plan.input }];
  return { ...rec, model: body.model, content };
}

/** Anthropic stream events; the tool-use stream is the recorded one with this tool and input. */
export function messagesEvents(body, plan) {
  if (plan.kind === "recorded") return lines("anthropic/anthropic-text");
  const out = [];
  for (const e of lines("anthropic/anthropic-tool-no-args")) {
    if (e.type === "content_block_start" && e.content_block.type === "tool_use") {
      out.push({ ...e, content_block: { ...e.content_block, name: plan.name } });
    } else if (e.type === "content_block_delta" && e.delta.type === "input_json_delta") {
      for (const p of pieces(JSON.stringify(plan.input))) out.push({ ...e, delta: { type: "input_json_delta", partial_json: p } });
    } else out.push(e);
  }
  return out;
}

// ---------- OpenAI Responses ----------

export const responsesJson = () => json("openai/responses/openai-phase.1");
export const responsesEvents = () => lines("openai/responses/openai-phase.1");
