import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { ZodType } from "zod";
import { ApiError } from "../errors";

function describePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)), "");
}

/**
 * zValidator with the gateway's error: the first problem becomes a 400 ApiError naming the field
 * (OpenAI's `param`). Unknown fields are reported as such.
 */
export function validate<T extends ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  return zValidator(target, schema, (result) => {
    if (result.success) return;
    const issue = result.error.issues[0]!;
    let path = describePath(issue.path);
    let message = issue.message;
    if (issue.code === "unrecognized_keys") {
      const key = (issue as { keys: string[] }).keys[0]!;
      path = path ? `${path}.${key}` : key;
      message = `Unrecognized request argument supplied: ${key}`;
    } else if (path) {
      message = `Invalid value for '${path}': ${message}`;
    }
    throw new ApiError(400, issue.code === "unrecognized_keys" ? "unknown_parameter" : "invalid_request", message, {
      type: "invalid_request_error",
      param: path || null,
    });
  });
}
