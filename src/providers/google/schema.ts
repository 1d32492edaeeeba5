import { ApiError } from "../../errors";
import { isObject, type Json } from "./wire";

/**
 * Converts a caller's JSON Schema (OpenAI tool `parameters`) into the OpenAPI 3.0 Schema subset
 * Gemini accepts in `functionDeclarations[].parameters`. Gemini rejects unknown keywords with a 400,
 * so this keeps an allow-list and rewrites what it can:
 *
 * - kept: type, format (only the ones Gemini knows, below), title, description, nullable, enum
 *   (string enums only), properties, required (only names present in properties), items,
 *   minItems/maxItems, minProperties/maxProperties, minLength/maxLength, pattern, minimum/maximum,
 *   anyOf, default, example, propertyOrdering.
 * - rewritten: `type: [T, "null"]` → `type: T, nullable: true` (several non-null types → no type);
 *   `{type: "null"}` branches of anyOf/oneOf → `nullable: true`; `oneOf` → `anyOf`; a one-branch
 *   anyOf or allOf is merged into its parent; a multi-branch allOf is merged shallowly (properties
 *   and required united); string `const` → `enum: [const]`; local `$ref`s (`#/$defs/X`,
 *   `#/definitions/X`) are inlined (a recursive reference stops after 8 levels as an untyped schema).
 * - dropped: $schema, $id, $defs/definitions (after inlining), additionalProperties, strict,
 *   examples, not, if/then/else, patternProperties, unevaluated*, dependent*, exclusiveMinimum /
 *   exclusiveMaximum, multipleOf, uniqueItems, contains, prefixItems, content*, readOnly/writeOnly,
 *   deprecated, non-string enums and const, tuple-form items, and unknown keys.
 * - `format`: string date-time/enum, number float/double, integer int32/int64; others dropped
 *   (Gemini rejects e.g. "uri" or "email").
 * - An object with no properties loses `properties` (Gemini rejects an empty map); a root object
 *   schema with no properties means "no parameters" and the caller omits `parameters` entirely.
 */

const COPY = ["title", "description", "pattern", "default", "example", "propertyOrdering",
  "minItems", "maxItems", "minProperties", "maxProperties", "minLength", "maxLength", "minimum", "maximum"] as const;

const FORMATS: Record<string, string[]> = { string: ["date-time", "enum"], number: ["float", "double"], integer: ["int32", "int64"] };

const MAX_DEPTH = 32;
const MAX_REF_DEPTH = 8;

interface Walk {
  root: Json;
  depth: number;
  refs: number;
  /** Nodes converted so far, shared by the whole walk: $ref inlining cannot blow up. */
  budget: { nodes: number };
}

/** The most schema nodes one tool may expand to (after $ref inlining). */
export const MAX_SCHEMA_NODES = 10_000;

function resolveRef(ref: string, root: Json): Json | null {
  const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (!m) return null;
  const defs = root[m[1]!];
  const name = m[2]!.replace(/~1/g, "/").replace(/~0/g, "~");
  return isObject(defs) && isObject(defs[name]) ? defs[name] : null;
}

function mergeInto(target: Json, src: Json): void {
  for (const [k, v] of Object.entries(src)) {
    if (k === "properties" && isObject(v)) target.properties = { ...(isObject(target.properties) ? target.properties : {}), ...v };
    else if (k === "required" && Array.isArray(v)) target.required = [...new Set([...(Array.isArray(target.required) ? target.required : []), ...v])];
    else if (!(k in target)) target[k] = v;
  }
}

function convert(schema: unknown, w: Walk): Json {
  if (!isObject(schema) || w.depth > MAX_DEPTH) return {};
  if (++w.budget.nodes > MAX_SCHEMA_NODES) {
    throw new ApiError(400, "schema_too_large", `A tool's parameter schema expands to more than ${MAX_SCHEMA_NODES} nodes (after resolving $ref); simplify it.`, { param: "tools", type: "invalid_request_error" });
  }
  if (typeof schema.$ref === "string") {
    const target = w.refs < MAX_REF_DEPTH ? resolveRef(schema.$ref, w.root) : null;
    const { $ref: _, ...siblings } = schema;
    const inlined = target ? convert(target, { ...w, depth: w.depth + 1, refs: w.refs + 1 }) : {};
    const own = convert(siblings, w);
    mergeInto(own, inlined);
    return own;
  }
  const sub = (s: unknown) => convert(s, { ...w, depth: w.depth + 1 });
  const out: Json = {};

  let type: unknown = schema.type;
  if (Array.isArray(type)) {
    const nonNull = type.filter((t) => t !== "null");
    if (nonNull.length !== type.length) out.nullable = true;
    type = nonNull.length === 1 ? nonNull[0] : undefined;
  }
  if (type === "null") {
    out.nullable = true;
    type = undefined;
  }
  if (typeof type === "string") out.type = type;
  if (schema.nullable === true) out.nullable = true;

  for (const k of COPY) if (schema[k] !== undefined) out[k] = schema[k];
  if (typeof schema.format === "string" && typeof type === "string" && FORMATS[type]?.includes(schema.format)) out.format = schema.format;

  if (Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.every((e) => typeof e === "string")) out.enum = schema.enum;
  else if (typeof schema.const === "string") out.enum = [schema.const];

  if (isObject(schema.properties)) {
    const props: Json = {};
    for (const [name, s] of Object.entries(schema.properties)) props[name] = sub(s);
    if (Object.keys(props).length > 0) out.properties = props;
  }
  if (Array.isArray(schema.required) && isObject(out.properties)) {
    const known = out.properties;
    const req = schema.required.filter((r): r is string => typeof r === "string" && Object.hasOwn(known, r));
    if (req.length > 0) out.required = req;
  }
  if (isObject(schema.items)) out.items = sub(schema.items);

  const branches = [schema.anyOf, schema.oneOf].filter(Array.isArray).flat();
  if (branches.length > 0) {
    const nonNull = branches.filter((b) => !(isObject(b) && b.type === "null"));
    if (nonNull.length !== branches.length) out.nullable = true;
    const converted = nonNull.map(sub);
    if (converted.length === 1) mergeInto(out, converted[0]!);
    else if (converted.length > 1) out.anyOf = converted;
  }
  if (Array.isArray(schema.allOf)) for (const b of schema.allOf) mergeInto(out, sub(b));
  if (Array.isArray(out.required) && !isObject(out.properties)) delete out.required;
  return out;
}

/** Converts a tool's parameter schema; undefined when the function takes no parameters. */
export function toGeminiParameters(schema: Record<string, unknown> | undefined): Json | undefined {
  if (!schema) return undefined;
  const out = convert(schema, { root: schema, depth: 0, refs: 0, budget: { nodes: 0 } });
  if ((out.type === "object" || out.type === undefined) && !isObject(out.properties) && out.anyOf === undefined) return undefined;
  return out;
}

/**
 * The schema for `generationConfig.responseJsonSchema`, which takes JSON Schema itself (including
 * $ref/$defs and additionalProperties), so only the `$schema` marker is removed.
 */
export function toResponseJsonSchema(schema: Record<string, unknown>): Json {
  const { $schema: _, ...rest } = schema;
  return rest;
}
