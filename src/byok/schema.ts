import { z } from "zod";

/** PUT /provider-keys/:provider: the provider's own key (kept sealed, never shown again) and whether the gateway's key may stand in. */
export const providerParam = z.object({ provider: z.string().regex(/^[a-z0-9_-]{1,40}$/, "a provider name such as openai") });
export const providerKeyBody = z.strictObject({
  key: z.string().trim().min(8).max(4096),
  /** false (default): requests for this provider use only this key and fail if it is refused. */
  allow_fallback: z.boolean().optional(),
});
