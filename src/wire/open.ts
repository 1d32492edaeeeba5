import { z } from "zod";

/**
 * A loose object — unknown keys are kept at run time, for pass-through (docs/compatibility.md) —
 * typed as a plain object: code reads only the declared fields, and the index signature of a loose
 * type would make every Omit/Pick of these types lose their fields.
 */
export function open<T extends z.core.$ZodLooseShape>(shape: T): z.ZodObject<T> {
  return z.looseObject(shape) as unknown as z.ZodObject<T>;
}
