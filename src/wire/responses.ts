import { z } from "zod";

/**
 * OpenAI Responses request. The Responses API carries many evolving fields; the gateway checks the
 * ones it relies on and passes the rest verbatim to the OpenAI-format provider, which validates
 * them (pass-through policy, docs/compatibility.md). Responses requests are served by OpenAI-format
 * providers only, so nothing is translated or dropped.
 *
 * Options that change the price (background responses, a priority tier, hosted tools) are refused
 * with a 400 naming the field before admission, the same way on every surface
 * (src/gateway/pipeline/priced-options.ts, RESPONSES_REFUSED_FIELDS).
 */

export const responsesSchema = z.looseObject({
  model: z.string().min(1).max(256),
  input: z.union([z.string().max(4_000_000), z.array(z.unknown()).max(4096)]).optional(),
  instructions: z.string().max(4_000_000).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  max_output_tokens: z.number().int().min(1).max(10_000_000).nullable().optional(),
  tools: z.array(z.unknown()).max(512).optional(),
  // Chains and storage: the wallet reserves for the stored conversation and answers 404 for ids
  // that are not this tenant's; nothing is stored upstream unless asked (docs/billing.md).
  previous_response_id: z.string().min(1).max(256).nullable().optional(),
  store: z.boolean().nullable().optional(),
});

export type ResponsesRequest = z.infer<typeof responsesSchema>;
