import type { TranslatableChatRequest as ChatCompletionRequest } from "../chat-policy";
import type { AnthropicTool, AnthropicToolChoice } from "./types";
import { JSON_RESPONSE_TOOL, isRecord, unsupported } from "./shared";

/**
 * OpenAI tool → Anthropic tool: `{name, description, input_schema: parameters}`. A missing
 * `parameters` becomes an empty object schema, and `type: "object"` is added when absent
 * (Anthropic requires an object root). `strict` is dropped (not portable across Claude models).
 */
function toAnthropicTool(t: NonNullable<ChatCompletionRequest["tools"]>[number], i: number): AnthropicTool {
  const { name, description, parameters } = t.function;
  if (name === JSON_RESPONSE_TOOL) throw unsupported(`tools[${i}].function.name`, `The tool name '${JSON_RESPONSE_TOOL}' is reserved by the gateway.`);
  const tool: AnthropicTool = { name, input_schema: { type: "object", properties: {}, ...(parameters ?? {}) } };
  if (description) tool.description = description;
  return tool;
}

/**
 * `response_format` → the injected JSON tool (null for text / absent). json_schema uses the
 * caller's schema (its root must be an object, as OpenAI also requires) and passes its name and
 * description to the model; json_object accepts any JSON object.
 */
function responseFormatTool(rf: ChatCompletionRequest["response_format"]): AnthropicTool | null {
  if (!rf || rf.type === "text") return null;
  if (rf.type === "json_object") {
    return {
      name: JSON_RESPONSE_TOOL,
      description: "Give your final answer to the user by calling this tool: its input is your answer, as a JSON object.",
      input_schema: { type: "object", additionalProperties: true },
    };
  }
  const { name, description, schema } = rf.json_schema;
  if (schema && schema.type !== undefined && schema.type !== "object") {
    throw unsupported("response_format.json_schema.schema", "The root of a json_schema response format must be an object schema for Anthropic models.");
  }
  return {
    name: JSON_RESPONSE_TOOL,
    description: `Give your final answer to the user by calling this tool: its input is your answer, as JSON matching the schema '${name}'.${description ? ` ${description}` : ""}`,
    input_schema: { type: "object", ...(schema ?? {}) },
  };
}

/**
 * tools, tool_choice, parallel_tool_calls and response_format → Anthropic `tools` + `tool_choice`.
 *
 * tool_choice: auto → {type:"auto"}, none → {type:"none"}, required → {type:"any"},
 * {function:{name}} → {type:"tool", name} (the name must be one of `tools`, else 400).
 * parallel_tool_calls:false → `disable_parallel_tool_use: true` on the choice (auto if none).
 * Without tools, tool_choice and parallel_tool_calls are dropped (nothing to choose from).
 *
 * response_format json_object / json_schema: the JSON tool is added and forced —
 * {type:"tool"} when there are no caller tools or tool_choice is none, {type:"any"} when the
 * caller's tools are on auto (the model then either calls a caller tool or answers through the
 * JSON tool). With tool_choice required or a named function this turn must be a tool call, so the
 * JSON tool is not added. The response translators turn a call of it into `content` JSON text.
 *
 * With thinking on, Anthropic allows only auto/none tool choice, so forcing (required, a named
 * function, or a JSON response format) is a 400.
 */
export function buildTools(req: ChatCompletionRequest, thinking: boolean): { tools?: AnthropicTool[]; tool_choice?: AnthropicToolChoice } {
  const tools = (req.tools ?? []).map(toAnthropicTool);
  const jsonTool = responseFormatTool(req.response_format);
  const choice = req.tool_choice;
  if (isRecord(choice) && !tools.some((t) => t.name === choice.function.name)) {
    throw unsupported("tool_choice", `tool_choice names the function '${choice.function.name}', which is not in tools.`);
  }
  const forcing = choice === "required" || isRecord(choice);
  if (thinking && forcing) {
    throw unsupported("tool_choice", "Anthropic models cannot be forced to call a tool while reasoning (reasoning_effort); use tool_choice auto or none.");
  }

  let toolChoice: AnthropicToolChoice | undefined;
  if (jsonTool && !forcing) {
    if (thinking) {
      throw unsupported("response_format", "A JSON response_format cannot be combined with reasoning_effort on Anthropic models (it is implemented as a forced tool call).");
    }
    const onlyJson = tools.length === 0 || choice === "none";
    tools.push(jsonTool);
    toolChoice = onlyJson ? { type: "tool", name: JSON_RESPONSE_TOOL } : { type: "any" };
  } else if (tools.length > 0) {
    if (choice === "auto") toolChoice = { type: "auto" };
    else if (choice === "none") toolChoice = { type: "none" };
    else if (choice === "required") toolChoice = { type: "any" };
    else if (isRecord(choice)) toolChoice = { type: "tool", name: choice.function.name };
  }
  if (tools.length === 0) return {};

  if (req.parallel_tool_calls === false && toolChoice?.type !== "none") {
    toolChoice = { ...(toolChoice ?? { type: "auto" }), disable_parallel_tool_use: true };
  }
  return toolChoice ? { tools, tool_choice: toolChoice } : { tools };
}
