import { z } from "zod";

const MAX_MESSAGES = 4096;
const MAX_PARTS = 512;
const MAX_TEXT = 4_000_000;
const name = z.string().min(1).max(256);

const textPart = z.strictObject({ type: z.literal("text"), text: z.string().max(MAX_TEXT) });
const imagePart = z.strictObject({
  type: z.literal("image_url"),
  image_url: z.strictObject({ url: z.string().min(1).max(MAX_TEXT), detail: z.enum(["auto", "low", "high"]).optional() }),
});
const audioPart = z.strictObject({
  type: z.literal("input_audio"),
  input_audio: z.strictObject({ data: z.string().max(MAX_TEXT), format: z.enum(["wav", "mp3"]) }),
});
const filePart = z.strictObject({ type: z.literal("file"), file: z.record(z.string(), z.string().max(MAX_TEXT)) });
const contentPart = z.discriminatedUnion("type", [textPart, imagePart, audioPart, filePart]);
const content = z.union([z.string().max(MAX_TEXT), z.array(contentPart).max(MAX_PARTS)]);

const toolCall = z.strictObject({
  id: z.string().max(256),
  type: z.literal("function"),
  function: z.strictObject({ name, arguments: z.string().max(MAX_TEXT) }),
});

const message = z.discriminatedUnion("role", [
  z.strictObject({ role: z.literal("system"), content, name: name.optional() }),
  z.strictObject({ role: z.literal("developer"), content, name: name.optional() }),
  z.strictObject({ role: z.literal("user"), content, name: name.optional() }),
  z.strictObject({
    role: z.literal("assistant"),
    content: content.nullable().optional(),
    name: name.optional(),
    tool_calls: z.array(toolCall).max(MAX_PARTS).optional(),
    refusal: z.string().nullable().optional(),
    reasoning_content: z.string().nullable().optional(),
  }),
  z.strictObject({ role: z.literal("tool"), content, tool_call_id: z.string().max(256) }),
]);

const tool = z.strictObject({
  type: z.literal("function"),
  function: z.strictObject({
    name,
    description: z.string().max(100_000).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

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
 * OpenAI Chat Completions request, strict: an unknown field is a 400 that names it.
 * Gateway extensions: `models` (fallback models, tried in order after `model`) and `provider`.
 */
export const chatCompletionSchema = z.strictObject({
  model: z.string().min(1).max(256),
  messages: z.array(message).min(1).max(MAX_MESSAGES),
  stream: z.boolean().nullable().optional(),
  stream_options: z.strictObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  max_tokens: maxTokens.nullable().optional(),
  max_completion_tokens: maxTokens.nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  n: z.literal(1).nullable().optional(),
  stop: z.union([z.string().max(1024), z.array(z.string().max(1024)).max(4)]).nullable().optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  logit_bias: z.record(z.string(), z.number().min(-100).max(100)).nullable().optional(),
  logprobs: z.boolean().nullable().optional(),
  top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  user: z.string().max(256).optional(),
  tools: z.array(tool).max(512).optional(),
  tool_choice: z.union([
    z.enum(["none", "auto", "required"]),
    z.strictObject({ type: z.literal("function"), function: z.strictObject({ name }) }),
  ]).optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: z.union([
    z.strictObject({ type: z.literal("text") }),
    z.strictObject({ type: z.literal("json_object") }),
    z.strictObject({
      type: z.literal("json_schema"),
      json_schema: z.strictObject({
        name, description: z.string().optional(), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullable().optional(),
      }),
    }),
  ]).optional(),
  reasoning_effort: z.enum(["minimal", "low", "medium", "high"]).nullable().optional(),
  modalities: z.array(z.enum(["text"])).optional(),
  metadata: z.record(z.string().max(64), z.string().max(512)).optional(),
  store: z.boolean().nullable().optional(),
  /** Only the standard tiers: a priority tier costs more than the catalog price. */
  service_tier: z.enum(["auto", "default"]).nullable().optional(),
  models: z.array(z.string().min(1).max(256)).min(1).max(10).optional(),
  provider: providerPreferences.optional(),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionSchema>;
