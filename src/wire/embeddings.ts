import { z } from "zod";

const MAX_INPUTS = 2048;

/** Fields of an embeddings request the gateway knows; the rest are passed to OpenAI-format providers as they are. */
export const EMBEDDINGS_FIELDS = ["model", "input", "encoding_format", "dimensions", "user"] as const;

/**
 * OpenAI Embeddings request under the pass-through policy (docs/compatibility.md): the known
 * fields are checked; unknown well-formed fields are kept (loose) for OpenAI-format providers and
 * dropped — named in `x-gateway-dropped-params` — when the request is translated (Gemini).
 */
export const embeddingsSchema = z.looseObject({
  model: z.string().min(1).max(256),
  input: z.union([
    z.string().min(1).max(1_000_000),
    z.array(z.string().max(1_000_000)).min(1).max(MAX_INPUTS),
    z.array(z.number().int().min(0)).min(1).max(1_000_000),
    z.array(z.array(z.number().int().min(0)).max(1_000_000)).min(1).max(MAX_INPUTS),
  ]),
  encoding_format: z.enum(["float", "base64"]).optional(),
  dimensions: z.number().int().min(1).max(65536).optional(),
  user: z.string().max(256).optional(),
});

export type EmbeddingsRequest = z.infer<typeof embeddingsSchema>;

/** Fields a translated (non-OpenAI-format) embeddings request drops: `user` and any unknown field. */
export function droppedEmbeddingFields(req: EmbeddingsRequest): string[] {
  const known = new Set<string>(EMBEDDINGS_FIELDS);
  return Object.keys(req).filter((k) => (k === "user" || !known.has(k)) && req[k] !== undefined);
}
