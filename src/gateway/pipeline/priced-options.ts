import { ApiError } from "../../errors";

/**
 * Options that make a provider charge more than (or differently from) the catalog's token prices,
 * checked the same way on every surface before admission (docs/billing.md, "Priced options").
 * The catalog has no fee per tier or per hosted-tool call yet, so each is refused with a 400
 * naming the field, rather than forwarded unbilled.
 */

/** Service tiers billed at the catalog price (OpenAI's standard tiers, Anthropic's). */
const STANDARD_TIERS = new Set(["auto", "default", "standard_only"]);
/** Tool types that are the caller's own functions: the provider only writes their arguments. */
const CALLER_TOOLS = new Set(["function", "custom"]);

/** The /responses fields refused when set to a priced value (docs/compatibility.md lists them as refused). */
export const RESPONSES_REFUSED_FIELDS = ["background", "service_tier"] as const;

export interface PricedOptions {
  service_tier?: unknown;
  background?: unknown;
  speed?: unknown;
  tools?: unknown;
}

const refuse = (param: string, message: string) =>
  new ApiError(400, "unsupported_parameter", message, { param, type: "invalid_request_error" });

export function refusePricedOptions(req: PricedOptions): void {
  const tier = req.service_tier;
  if (tier !== undefined && tier !== null && !(typeof tier === "string" && STANDARD_TIERS.has(tier))) {
    throw refuse("service_tier", `service_tier '${String(tier).slice(0, 40)}' is priced differently from the catalog and is not supported; omit it or use "auto".`);
  }
  if (req.background === true) {
    throw refuse("background", "background: true is not supported: a response generated after the answer cannot be metered.");
  }
  if (req.speed !== undefined && req.speed !== null && req.speed !== "standard") {
    throw refuse("speed", `speed '${String(req.speed).slice(0, 40)}' is priced above the catalog and is not supported; omit it.`);
  }
  if (Array.isArray(req.tools)) {
    req.tools.forEach((tool, i) => {
      const type = tool && typeof tool === "object" ? (tool as { type?: unknown }).type : undefined;
      if (type === undefined || (typeof type === "string" && CALLER_TOOLS.has(type))) return;
      throw refuse(`tools[${i}].type`, `The hosted tool '${String(type).slice(0, 60)}' is billed per call by the provider and is not supported here; only function tools are.`);
    });
  }
}
