import { z } from "zod";
import { open } from "../../wire/open";

/**
 * The Anthropic Messages API request body (`POST /v1/messages`, anthropic-version 2023-06-01) as
 * the official `@anthropic-ai/sdk` and Claude Code send it, under the pass-through policy
 * (docs/compatibility.md):
 *
 * - The fields the gateway reads are checked (wrong type or out of range → 400 naming the field).
 * - Objects are loose: well-formed fields the gateway does not know are kept and passed verbatim
 *   to Anthropic for Claude models; for other models they are dropped (to-openai.ts lists them in
 *   `x-gateway-dropped-params`). Hints (cache_control, context_management, defer_loading, top_k,
 *   speed, diagnostics, …) are handled the same way.
 * - `role: "system"` entries inside `messages` are accepted (Claude Code sends them): passed to
 *   Claude as they are, merged into the system prompt when translating.
 * - Blocks echoed back from a response (citations, thinking/signature, server_tool_use,
 *   web_search_tool_result, … — any block type the gateway does not know) are accepted; they go to
 *   Claude as they are and are dropped (and named) when translating.
 * - Refused (400 naming the field) because they change the price and are not priced:
 *   REFUSED_MESSAGES_FIELDS and server tools (SERVER_TOOL_PREFIXES). Anthropic-defined client tools
 *   (bash, text_editor, computer, memory, tool_search) are served by Claude models only.
 *
 * Bounds follow src/wire/chat.ts so that a valid request always converts into a valid
 * ChatCompletionRequest (base64 data is kept a little under the chat text limit to leave room for
 * the `data:` URL prefix).
 */

const MAX_MESSAGES = 4096;
const MAX_BLOCKS = 512;
const MAX_TEXT = 4_000_000;
const MAX_DATA = MAX_TEXT - 64;
const name = z.string().min(1).max(256);
const id = z.string().min(1).max(256);

/**
 * String content is shorthand for one text block. It is normalised to that block before
 * validation, so the parsed request always holds block arrays, and a bad block gets an error that
 * points into it (a string-or-array union would only say "Invalid input" about the whole field).
 */
function blocks<T extends z.ZodType>(block: T) {
  return z.preprocess((v) => (typeof v === "string" ? [{ type: "text", text: v }] : v), z.array(block).max(MAX_BLOCKS));
}

/** A discriminated union whose "no such type" error lists the types allowed there. */
function oneOf<const T extends readonly [z.core.$ZodTypeDiscriminable, ...z.core.$ZodTypeDiscriminable[]]>(where: string, types: string, options: T) {
  return z.discriminatedUnion("type", options, {
    error: (iss) => (iss.code === "invalid_union" ? `${where} must have a type of ${types}` : undefined),
  });
}

const cacheControl = open({ type: z.literal("ephemeral"), ttl: z.enum(["5m", "1h"]).optional() }).nullable().optional();

export const IMAGE_MEDIA_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"] as const;

const textBlock = open({
  type: z.literal("text"),
  text: z.string().max(MAX_TEXT),
  cache_control: cacheControl,
  citations: z.array(z.unknown()).max(MAX_BLOCKS).nullable().optional(),
});

const imageBlock = open({
  type: z.literal("image"),
  source: z.discriminatedUnion("type", [
    open({ type: z.literal("base64"), media_type: z.enum(IMAGE_MEDIA_TYPES), data: z.string().min(1).max(MAX_DATA) }),
    open({ type: z.literal("url"), url: z.string().regex(/^https?:\/\//i, "must be an http(s) URL").max(MAX_DATA) }),
  ]),
  cache_control: cacheControl,
});

const documentBlock = open({
  type: z.literal("document"),
  source: z.discriminatedUnion("type", [
    open({ type: z.literal("base64"), media_type: z.literal("application/pdf"), data: z.string().min(1).max(MAX_DATA) }),
    open({ type: z.literal("text"), media_type: z.literal("text/plain"), data: z.string().max(MAX_TEXT) }),
  ]),
  title: z.string().max(500).nullable().optional(),
  context: z.string().max(MAX_TEXT).nullable().optional(),
  citations: open({ enabled: z.boolean().optional() }).nullable().optional(),
  cache_control: cacheControl,
});

const toolUseBlock = open({
  type: z.literal("tool_use"),
  id,
  name,
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
  caller: z.looseObject({ type: z.string() }).optional(),
});

const toolResultBlock = open({
  type: z.literal("tool_result"),
  tool_use_id: id,
  content: blocks(oneOf("a tool_result content block", "text, image or document", [textBlock, imageBlock, documentBlock])).optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});

const thinkingBlock = open({ type: z.literal("thinking"), thinking: z.string().max(MAX_TEXT), signature: z.string().max(MAX_TEXT) });
const redactedThinkingBlock = open({ type: z.literal("redacted_thinking"), data: z.string().max(MAX_TEXT) });

/** Block types the gateway reads; a known type in the wrong place is a 400, any other type is an echoed block. */
const KNOWN_BLOCK_TYPES = new Set(["text", "image", "document", "tool_result", "tool_use", "thinking", "redacted_thinking"]);

/**
 * A block echoed back from a response that the gateway does not read (server_tool_use,
 * web_search_tool_result, search_result, compaction, …): kept for Claude, dropped when translating.
 */
const echoBlock = open({ type: z.string().min(1).max(64) });
export type EchoBlock = z.infer<typeof echoBlock>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Parses with the schema `choose` picks for the value; its issues keep their paths (relative to
 * the value), so a bad field inside a known block is still named.
 */
function dispatch<O>(choose: (v: unknown) => z.ZodType<O>) {
  return z.unknown().transform((v, ctx): O => {
    const r = choose(v).safeParse(v);
    if (r.success) return r.data;
    for (const issue of r.error.issues) ctx.addIssue({ ...issue, code: "custom", path: issue.path, message: issue.message });
    return z.NEVER;
  });
}

function orEcho<T extends z.ZodType>(known: T) {
  return dispatch<z.output<T> | EchoBlock>((v) => {
    const type = isRecord(v) ? v.type : undefined;
    return (typeof type === "string" && !KNOWN_BLOCK_TYPES.has(type) ? echoBlock : known) as z.ZodType<z.output<T> | EchoBlock>;
  });
}

const userBlockKnown = oneOf("a user content block", "text, image, document or tool_result", [textBlock, imageBlock, documentBlock, toolResultBlock]);
const assistantBlockKnown = oneOf("an assistant content block", "text, tool_use, thinking or redacted_thinking", [textBlock, toolUseBlock, thinkingBlock, redactedThinkingBlock]);
const userBlock = orEcho(userBlockKnown);
const assistantBlock = orEcho(assistantBlockKnown);

const message = z.discriminatedUnion("role", [
  open({ role: z.literal("user"), content: blocks(userBlock) }),
  open({ role: z.literal("assistant"), content: blocks(assistantBlock) }),
  open({ role: z.literal("system"), content: blocks(textBlock) }),
], { error: (iss) => (iss.code === "invalid_union" ? "role must be user, assistant or system" : undefined) });

const customTool = open({
  type: z.literal("custom").nullable().optional(),
  name,
  description: z.string().max(100_000).optional(),
  input_schema: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
  strict: z.boolean().optional(),
  eager_input_streaming: z.boolean().nullable().optional(),
  defer_loading: z.boolean().optional(),
});

/** Anthropic-defined client tools: run by the caller, billed by tokens; served by Claude models only. */
export const CLIENT_TOOL_PREFIXES = ["bash_", "text_editor_", "computer_", "memory_", "tool_search_tool_"] as const;
const anthropicDefinedTool = open({ type: z.string().min(1).max(64), name, cache_control: cacheControl, defer_loading: z.boolean().optional() });

/**
 * A tool: custom (no type or "custom"), an Anthropic-defined client tool (CLIENT_TOOL_PREFIXES), or
 * a server tool (web_search, web_fetch, code_execution, mcp, … — any other type), which Anthropic
 * bills per use and this gateway does not price: 400 on tools[i].type.
 */
const tool = dispatch<z.infer<typeof customTool> | z.infer<typeof anthropicDefinedTool>>((v) => {
  const type = isRecord(v) ? v.type : undefined;
  if (typeof type !== "string" || type === "custom") return customTool;
  if (CLIENT_TOOL_PREFIXES.some((p) => type.startsWith(p))) return anthropicDefinedTool;
  const message = `the Anthropic tool type '${type.slice(0, 64)}' is not supported by this gateway: server tools are billed per use, which is not priced here; use custom tools ({name, description, input_schema})`;
  return z.unknown().superRefine((_v, ctx) => ctx.addIssue({ code: "custom", path: ["type"], message })) as unknown as z.ZodType<never>;
});

const parallel = { disable_parallel_tool_use: z.boolean().optional() };
const toolChoice = z.discriminatedUnion("type", [
  open({ type: z.literal("auto"), ...parallel }),
  open({ type: z.literal("any"), ...parallel }),
  open({ type: z.literal("tool"), name, ...parallel }),
  open({ type: z.literal("none") }),
]);

const display = z.enum(["summarized", "omitted"]).nullable().optional();
const thinking = z.discriminatedUnion("type", [
  open({ type: z.literal("enabled"), budget_tokens: z.number().int().min(1024).max(10_000_000), display }),
  open({ type: z.literal("disabled") }),
  open({ type: z.literal("adaptive"), display }),
]);

/** Top-level fields refused with the reason: each changes the price in a way the catalog price does not cover. */
export const REFUSED_MESSAGES_FIELDS = {
  container: "code-execution containers are billed per hour by Anthropic, which is not priced here",
  mcp_servers: "the MCP connector runs server-side tool calls, which are not priced here",
  inference_geo: "regional inference is billed above the catalog price",
} as const satisfies Record<string, string>;

/**
 * Anthropic Messages request body (loose: see the policy above). After parsing, `system`, message
 * `content` and tool_result `content` are always block arrays (see `blocks`).
 */
export const messagesRequestSchema = open({
  model: z.string().min(1).max(256),
  max_tokens: z.number().int().min(1).max(10_000_000),
  messages: z.array(message).min(1).max(MAX_MESSAGES),
  system: blocks(textBlock).optional(),
  tools: z.array(tool).max(512).optional(),
  tool_choice: toolChoice.optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stop_sequences: z.array(z.string().min(1).max(1024)).max(256).optional(),
  stream: z.boolean().optional(),
  metadata: open({ user_id: z.string().max(256).nullable().optional() }).optional(),
  thinking: thinking.optional(),
  output_config: open({
    effort: z.enum(["low", "medium", "high", "xhigh", "max"]).nullable().optional(),
    format: open({ type: z.literal("json_schema"), schema: z.record(z.string(), z.unknown()) }).nullable().optional(),
  }).optional(),
  service_tier: z.enum(["auto", "standard_only"]).optional(),
  cache_control: cacheControl,
  speed: z.enum(["standard", "fast"]).nullable().optional(),
  diagnostics: open({ previous_message_id: z.string().max(256).nullable().optional() }).nullable().optional(),
  /** Context editing (Claude Code sends it): passed to Claude, dropped when translating. */
  context_management: open({ edits: z.array(open({ type: z.string().min(1).max(64) })).max(64).optional() }).nullable().optional(),
}).superRefine((req, ctx) => {
  for (const [field, why] of Object.entries(REFUSED_MESSAGES_FIELDS)) {
    if ((req as Record<string, unknown>)[field] != null) ctx.addIssue({ code: "custom", path: [field], message: `'${field}' is not supported: ${why}.` });
  }
});

export type MessagesRequest = z.infer<typeof messagesRequestSchema>;
export type MessageParam = MessagesRequest["messages"][number];
export type UserBlock = z.infer<typeof userBlock>;
export type AssistantBlock = z.infer<typeof assistantBlock>;
export type ToolResultBlock = z.infer<typeof toolResultBlock>;
export type KnownUserBlock = z.infer<typeof userBlockKnown>;
export type KnownAssistantBlock = z.infer<typeof assistantBlockKnown>;
export type MessagesTool = NonNullable<MessagesRequest["tools"]>[number];
export type CustomTool = z.infer<typeof customTool>;

/** A custom tool (no type, or "custom"), as opposed to an Anthropic-defined one. */
export function isCustomTool(t: MessagesTool): t is CustomTool {
  return t.type == null || t.type === "custom";
}

/** Whether a block is one the gateway reads (not an echoed block). */
export function isKnownBlock<B extends { type: string }>(b: B | EchoBlock): b is B {
  return KNOWN_BLOCK_TYPES.has(b.type);
}
