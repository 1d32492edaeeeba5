import type { Env } from "../env";
import { demoFetch } from "./demo/demo-upstream";
import type { Provider, ProviderQuirks } from "./types";

const OPENAI_DEFAULTS: ProviderQuirks = { maxTokensField: "max_tokens", reasoningExcludedFromCompletion: false };

/** Default endpoints of the OpenAI-compatible providers the catalog knows; any other name works with <NAME>_BASE_URL. */
const KNOWN: Record<string, { baseUrl: string; quirks?: Partial<ProviderQuirks> }> = {
  openai: { baseUrl: "https://api.openai.com/v1", quirks: { maxTokensField: "max_completion_tokens" } },
  deepseek: { baseUrl: "https://api.deepseek.com/v1" },
  moonshot: { baseUrl: "https://api.moonshot.ai/v1" },
  mistral: { baseUrl: "https://api.mistral.ai/v1" },
  groq: { baseUrl: "https://api.groq.com/openai/v1" },
  xai: { baseUrl: "https://api.x.ai/v1", quirks: { reasoningExcludedFromCompletion: true } },
  together: { baseUrl: "https://api.together.xyz/v1" },
  openrouter: { baseUrl: "https://openrouter.ai/api/v1" },
  fireworks: { baseUrl: "https://api.fireworks.ai/inference/v1" },
};

export function envPrefix(provider: string): string {
  return provider.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/**
 * A provider is usable when its key (<NAME>_API_KEY) is set, or when only <NAME>_BASE_URL is set
 * (a keyless local endpoint). The demo provider is usable only when DEMO_PROVIDER=on.
 */
export function resolveProvider(env: Env, name: string, demoEnabled: boolean): Provider | null {
  if (name === "demo") {
    return demoEnabled ? { name, baseUrl: "http://demo.invalid/v1", apiKey: null, quirks: OPENAI_DEFAULTS, fetch: demoFetch } : null;
  }
  const prefix = envPrefix(name) as Uppercase<string>;
  const apiKey = env[`${prefix}_API_KEY`] || null;
  const configuredUrl = env[`${prefix}_BASE_URL`] || null;
  const known = KNOWN[name];
  const baseUrl = configuredUrl ?? known?.baseUrl;
  if (!baseUrl || (!apiKey && !configuredUrl)) return null;
  return {
    name,
    baseUrl: baseUrl.replace(/\/+$/, ""),
    apiKey,
    quirks: { ...OPENAI_DEFAULTS, ...known?.quirks },
    fetch: (request) => fetch(request),
  };
}
