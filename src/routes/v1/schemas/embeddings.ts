import { z } from "zod";

const MAX_INPUTS = 2048;

export const embeddingsSchema = z.strictObject({
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
