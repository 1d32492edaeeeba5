import { z } from "zod";

/**
 * The Anthropic Messages API request body (`POST /v1/messages`, anthropic-version 2023-06-01) as
 * the official `@anthropic-ai/sdk` and Claude Code send it — the subset the gateway can serve.
 *
 * Objects are strict: an unknown field is a 400 that names it. Fields that only carry
 * Anthropic-side hints are accepted so that requests written for Anthropic work unchanged, and
 * dropped on the way to an OpenAI-format model (see to-openai.ts): `cache_control` at the top
 * level and on any block, system block or tool, `citations` on text blocks (response data echoed
 * back in history), `caller` on tool_use blocks, `display` on thinking, `eager_input_streaming` on
 * tools, `speed`, `diagnostics` (prompt-cache diagnostics: no `diagnostics` comes back), top_k and
 * service_tier. Fields that constrain where or how Anthropic runs the request are not accepted
 * (container, inference_geo, mcp_servers, context_management, workspace_id, …): they cannot be
 * honoured elsewhere, and dropping them silently could break the caller's expectations.
 *
 * Rejected here (400 naming the field): Anthropic server tools and Anthropic-defined client tools
 * (any tool whose `type` is not "custom", e.g. web_search_20250305, bash_20250124), image sources
 * other than base64/url, document sources other than base64 PDF / plain text, and block types the
 * gateway cannot translate (server_tool_use, web_search_tool_result, search_result, …).
 *
 * Bounds follow src/routes/v1/schemas/chat.ts so that a valid request always converts into a valid
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

const cacheControl = z.strictObject({ type: z.literal("ephemeral"), ttl: z.enum(["5m", "1h"]).optional() }).nullable().optional();

export const IMAGE_MEDIA_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"] as const;

const textBlock = z.strictObject({
  type: z.literal("text"),
  text: z.string().max(MAX_TEXT),
  cache_control: cacheControl,
  citations: z.array(z.unknown()).max(MAX_BLOCKS).nullable().optional(),
});

const imageBlock = z.strictObject({
  type: z.literal("image"),
  source: z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("base64"), media_type: z.enum(IMAGE_MEDIA_TYPES), data: z.string().min(1).max(MAX_DATA) }),
    z.strictObject({ type: z.literal("url"), url: z.string().regex(/^https?:\/\//i, "must be an http(s) URL").max(MAX_DATA) }),
  ]),
  cache_control: cacheControl,
});

const documentBlock = z.strictObject({
  type: z.literal("document"),
  source: z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("base64"), media_type: z.literal("application/pdf"), data: z.string().min(1).max(MAX_DATA) }),
    z.strictObject({ type: z.literal("text"), media_type: z.literal("text/plain"), data: z.string().max(MAX_TEXT) }),
  ]),
  title: z.string().max(500).nullable().optional(),
  context: z.string().max(MAX_TEXT).nullable().optional(),
  citations: z.strictObject({ enabled: z.boolean().optional() }).nullable().optional(),
  cache_control: cacheControl,
});

const toolUseBlock = z.strictObject({
  type: z.literal("tool_use"),
  id,
  name,
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
  caller: z.looseObject({ type: z.string() }).optional(),
});

const toolResultBlock = z.strictObject({
  type: z.literal("tool_result"),
  tool_use_id: id,
  content: blocks(oneOf("a tool_result content block", "text, image or document", [textBlock, imageBlock, documentBlock])).optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});

const thinkingBlock = z.strictObject({ type: z.literal("thinking"), thinking: z.string().max(MAX_TEXT), signature: z.string().max(MAX_TEXT) });
const redactedThinkingBlock = z.strictObject({ type: z.literal("redacted_thinking"), data: z.string().max(MAX_TEXT) });

const userBlock = oneOf("a user content block", "text, image, document or tool_result", [textBlock, imageBlock, documentBlock, toolResultBlock]);
const assistantBlock = oneOf("an assistant content block", "text, tool_use, thinking or redacted_thinking", [textBlock, toolUseBlock, thinkingBlock, redactedThinkingBlock]);

const message = z.discriminatedUnion("role", [
  z.strictObject({ role: z.literal("user"), content: blocks(userBlock) }),
  z.strictObject({ role: z.literal("assistant"), content: blocks(assistantBlock) }),
], { error: (iss) => (iss.code === "invalid_union" ? "role must be user or assistant (the system prompt goes in the top-level system field)" : undefined) });

const customTool = z.strictObject({
  type: z.literal("custom").nullable().optional(),
  name,
  description: z.string().max(100_000).optional(),
  input_schema: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
  strict: z.boolean().optional(),
  eager_input_streaming: z.boolean().nullable().optional(),
});

/**
 * A tool with a `type` other than "custom" is an Anthropic server tool (web_search, web_fetch,
 * code_execution, …) or an Anthropic-defined client tool (bash, text_editor, computer, memory):
 * both need Anthropic's own tool runtime or prompt, so they get their own clear 400 before the
 * field-by-field check would report something less helpful.
 */
const tool = z.unknown().superRefine((v, ctx) => {
  const type = typeof v === "object" && v !== null ? (v as { type?: unknown }).type : undefined;
  if (typeof type === "string" && type !== "custom") {
    ctx.addIssue({
      code: "custom",
      path: ["type"],
      message: `the Anthropic tool type '${type.slice(0, 64)}' is not supported by this gateway; only custom tools ({name, description, input_schema}) are`,
    });
  }
}).pipe(customTool);

const parallel = { disable_parallel_tool_use: z.boolean().optional() };
const toolChoice = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("auto"), ...parallel }),
  z.strictObject({ type: z.literal("any"), ...parallel }),
  z.strictObject({ type: z.literal("tool"), name, ...parallel }),
  z.strictObject({ type: z.literal("none") }),
]);

const display = z.enum(["summarized", "omitted"]).nullable().optional();
const thinking = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("enabled"), budget_tokens: z.number().int().min(1024).max(10_000_000), display }),
  z.strictObject({ type: z.literal("disabled") }),
  z.strictObject({ type: z.literal("adaptive"), display }),
]);

/**
 * Anthropic Messages request body; strict: an unknown field is a 400 that names it. After parsing,
 * `system`, message `content` and tool_result `content` are always block arrays (see `blocks`).
 */
export const messagesRequestSchema = z.strictObject({
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
  metadata: z.strictObject({ user_id: z.string().max(256).nullable().optional() }).optional(),
  thinking: thinking.optional(),
  output_config: z.strictObject({
    effort: z.enum(["low", "medium", "high", "xhigh", "max"]).nullable().optional(),
    format: z.strictObject({ type: z.literal("json_schema"), schema: z.record(z.string(), z.unknown()) }).nullable().optional(),
  }).optional(),
  service_tier: z.enum(["auto", "standard_only"]).optional(),
  cache_control: cacheControl,
  speed: z.enum(["standard", "fast"]).nullable().optional(),
  diagnostics: z.strictObject({ previous_message_id: z.string().max(256).nullable().optional() }).nullable().optional(),
});

export type MessagesRequest = z.infer<typeof messagesRequestSchema>;
export type MessageParam = MessagesRequest["messages"][number];
export type UserBlock = z.infer<typeof userBlock>;
export type AssistantBlock = z.infer<typeof assistantBlock>;
export type ToolResultBlock = z.infer<typeof toolResultBlock>;
