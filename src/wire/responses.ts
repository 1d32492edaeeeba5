import { z } from "zod";

/**
 * OpenAI Responses request. The Responses API carries many evolving fields; the gateway checks the
 * ones it relies on and passes the rest verbatim to the OpenAI-format provider, which validates
 * them (pass-through policy, docs/compatibility.md). Responses requests are served by OpenAI-format
 * providers only, so nothing is translated or dropped.
 *
 * Refused (400 naming the field), because they change the price in ways the catalog price does not
 * cover: REFUSED_RESPONSES_FIELDS, and hosted tools (any tool whose type is not function/custom).
 */

/** Tool types the caller runs itself: billed by tokens only. */
export const CLIENT_TOOL_TYPES = ["function", "custom"] as const;

export const REFUSED_RESPONSES_FIELDS = {
  background: "background responses outlive the request that is metered",
  service_tier: "only the standard tiers (auto, default) are priced",
} as const satisfies Record<string, string>;

const STANDARD_TIERS = new Set(["auto", "default"]);

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
}).superRefine((req, ctx) => {
  if (req.background != null && req.background !== false) {
    ctx.addIssue({ code: "custom", path: ["background"], message: `'background' is not supported: ${REFUSED_RESPONSES_FIELDS.background}.` });
  }
  if (req.service_tier != null && !STANDARD_TIERS.has(String(req.service_tier))) {
    ctx.addIssue({ code: "custom", path: ["service_tier"], message: `'service_tier' is not supported: ${REFUSED_RESPONSES_FIELDS.service_tier}.` });
  }
  (req.tools ?? []).forEach((t, i) => {
    const type = typeof t === "object" && t !== null ? (t as { type?: unknown }).type : undefined;
    if (!(CLIENT_TOOL_TYPES as readonly unknown[]).includes(type)) {
      ctx.addIssue({ code: "custom", path: ["tools", i, "type"], message: `hosted tools (type '${String(type).slice(0, 64)}') are billed per call by the provider and are not priced by this gateway; use function tools.` });
    }
  });
});

export type ResponsesRequest = z.infer<typeof responsesSchema>;
