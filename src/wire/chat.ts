import { z } from "zod";
import { open } from "./open";

/**
 * OpenAI Chat Completions request, following the pass-through policy (docs/compatibility.md):
 * - the fields the gateway uses are checked (wrong type or out of range → 400 naming the field);
 * - well-formed fields it does not know are kept (loose objects) and passed verbatim to
 *   OpenAI-format providers; translators drop them and name them in `x-gateway-dropped-params`;
 * - fields that echo a returned message back in history (annotations, refusal, audio,
 *   function_call, reasoning fields) are accepted;
 * - fields that change the price and are not priced are refused (REFUSED_CHAT_FIELDS).
 * Gateway extensions: `models` (fallback models, tried in order after `model`) and `provider`.
 */

const MAX_MESSAGES = 4096;
const MAX_PARTS = 512;
const MAX_TEXT = 4_000_000;
const name = z.string().min(1).max(256);
const cacheControl = open({ type: z.string().max(64) }).nullable().optional();

const textPart = open({ type: z.literal("text"), text: z.string().max(MAX_TEXT), cache_control: cacheControl });
const imagePart = open({
  type: z.literal("image_url"),
  image_url: open({ url: z.string().min(1).max(MAX_TEXT), detail: z.enum(["auto", "low", "high"]).optional() }),
  cache_control: cacheControl,
});
const audioPart = open({
  type: z.literal("input_audio"),
  input_audio: open({ data: z.string().max(MAX_TEXT), format: z.enum(["wav", "mp3"]) }),
});
const filePart = open({ type: z.literal("file"), file: z.record(z.string(), z.string().max(MAX_TEXT)), cache_control: cacheControl });
const refusalPart = open({ type: z.literal("refusal"), refusal: z.string().max(MAX_TEXT) });
const contentPart = z.discriminatedUnion("type", [textPart, imagePart, audioPart, filePart]);
const content = z.union([z.string().max(MAX_TEXT), z.array(contentPart).max(MAX_PARTS)]);
/** Assistant content may also hold refusal parts (a returned message echoed back). */
const assistantContent = z.union([z.string().max(MAX_TEXT), z.array(z.discriminatedUnion("type", [textPart, imagePart, audioPart, filePart, refusalPart])).max(MAX_PARTS)]);

const toolCall = open({
  id: z.string().max(256),
  type: z.literal("function"),
  function: open({ name, arguments: z.string().max(MAX_TEXT) }),
});

const message = z.discriminatedUnion("role", [
  open({ role: z.literal("system"), content, name: name.optional() }),
  open({ role: z.literal("developer"), content, name: name.optional() }),
  open({ role: z.literal("user"), content, name: name.optional() }),
  open({
    role: z.literal("assistant"),
    content: assistantContent.nullable().optional(),
    name: name.optional(),
    tool_calls: z.array(toolCall).max(MAX_PARTS).optional(),
    // Echoed back from a returned message; not sent on to translated providers.
    refusal: z.string().nullable().optional(),
    annotations: z.array(z.unknown()).max(MAX_PARTS).nullable().optional(),
    audio: open({ id: z.string().max(256) }).nullable().optional(),
    function_call: open({ name: z.string().max(256), arguments: z.string().max(MAX_TEXT) }).nullable().optional(),
    reasoning_content: z.string().nullable().optional(),
    reasoning: z.unknown().optional(),
  }),
  open({ role: z.literal("tool"), content, tool_call_id: z.string().max(256), name: name.optional() }),
]);

const functionTool = open({
  type: z.literal("function"),
  function: open({
    name,
    description: z.string().max(100_000).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});
/** A custom tool (free-form or grammar input): OpenAI-format providers only. */
const customTool = open({
  type: z.literal("custom"),
  custom: open({ name, description: z.string().max(100_000).optional(), format: z.unknown().optional() }),
});
const tool = z.discriminatedUnion("type", [functionTool, customTool]);

const namedFunction = open({ type: z.literal("function"), function: open({ name }) });
const toolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  namedFunction,
  open({ type: z.literal("custom"), custom: open({ name }) }),
  open({
    type: z.literal("allowed_tools"),
    allowed_tools: open({ mode: z.enum(["auto", "required"]), tools: z.array(z.record(z.string(), z.unknown())).min(1).max(512) }),
  }),
]);

const responseFormat = z.union([
  open({ type: z.literal("text") }),
  open({ type: z.literal("json_object") }),
  open({
    type: z.literal("json_schema"),
    json_schema: open({
      name, description: z.string().optional(), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullable().optional(),
    }),
  }),
]);

const maxTokens = z.number().int().min(1).max(10_000_000);

const providerName = z.string().min(1).max(64).regex(/^[a-z0-9_.-]+$/, "a provider name such as \"openai\"");

/** OpenRouter-style routing preferences (gateway extension). */
const providerPreferences = z.strictObject({
  order: z.array(providerName).max(20).optional(),
  allow_fallbacks: z.boolean().optional(),
  only: z.array(providerName).max(20).optional(),
  ignore: z.array(providerName).max(20).optional(),
  /** For model "auto": the highest acceptable price, USD per 1M tokens (decimal strings or numbers). */
  max_price: z.strictObject({
    prompt: z.union([z.number().min(0).max(100_000), z.string().regex(/^\d{1,6}(\.\d{1,6})?$/)]).optional(),
    completion: z.union([z.number().min(0).max(100_000), z.string().regex(/^\d{1,6}(\.\d{1,6})?$/)]).optional(),
  }).optional(),
});

/**
 * Fields refused on /chat/completions, with the reason: each changes what the request costs in a
 * way the catalog price does not cover. Checked by `refused` below.
 */
export const REFUSED_CHAT_FIELDS = {
  web_search_options: "web search is billed per call by the provider and is not priced by this gateway",
  audio: "audio output is billed at audio token rates, which this gateway does not price",
} as const satisfies Record<string, string>;

const shape = {
  model: z.string().min(1).max(256),
  messages: z.array(message).min(1).max(MAX_MESSAGES),
  stream: z.boolean().nullable().optional(),
  stream_options: open({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() }).nullable().optional(),
  max_tokens: maxTokens.nullable().optional(),
  max_completion_tokens: maxTokens.nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  /** One choice: the reservation covers one completion. */
  n: z.literal(1).nullable().optional(),
  stop: z.union([z.string().max(1024), z.array(z.string().max(1024)).max(4)]).nullable().optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  logit_bias: z.record(z.string(), z.number().min(-100).max(100)).nullable().optional(),
  logprobs: z.boolean().nullable().optional(),
  top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  user: z.string().max(256).optional(),
  safety_identifier: z.string().max(256).nullable().optional(),
  prompt_cache_key: z.string().max(1024).nullable().optional(),
  prompt_cache_retention: z.string().max(32).nullable().optional(),
  verbosity: z.enum(["low", "medium", "high"]).nullable().optional(),
  prediction: open({ type: z.literal("content"), content: z.union([z.string().max(MAX_TEXT), z.array(textPart).max(MAX_PARTS)]) }).nullable().optional(),
  tools: z.array(tool).max(512).optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: responseFormat.optional(),
  reasoning_effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).nullable().optional(),
  modalities: z.array(z.enum(["text"])).optional(),
  metadata: z.record(z.string().max(64), z.string().max(512)).optional(),
  store: z.boolean().nullable().optional(),
  /** Only the standard tiers: flex, priority and scale tiers cost other than the catalog price. */
  service_tier: z.enum(["auto", "default"]).nullable().optional(),
  models: z.array(z.string().min(1).max(256)).min(1).max(10).optional(),
  provider: providerPreferences.optional(),
};

export const chatCompletionSchema = open(shape).superRefine((req, ctx) => {
  for (const [field, why] of Object.entries(REFUSED_CHAT_FIELDS)) {
    if ((req as Record<string, unknown>)[field] != null) ctx.addIssue({ code: "custom", path: [field], message: `'${field}' is not supported: ${why}.` });
  }
});

/** The parsed request as code sees it; at run time it also holds the unknown fields, kept for pass-through. */
export type ChatCompletionRequest = z.infer<typeof chatCompletionSchema>;
export type ChatTool = NonNullable<ChatCompletionRequest["tools"]>[number];
export type FunctionTool = Extract<ChatTool, { type: "function" }>;
