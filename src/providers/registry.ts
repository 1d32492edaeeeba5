import type { Env } from "../env";
import { anthropicChat, errorMessage as anthropicError } from "./anthropic";
import { cohereChat, cohereErrorMessage } from "./cohere";
import { demoFetch } from "./demo/demo-upstream";
import { geminiChat, errorMessage as geminiError, retryDelaySeconds } from "./google";
import { openAICompatibleChat, openAIErrorMessage } from "./openai-compatible";
import type { Provider, ProviderKind, ProviderQuirks } from "./types";

const OPENAI_DEFAULTS: ProviderQuirks = { maxTokensField: "max_tokens", reasoningExcludedFromCompletion: false };

interface Known { baseUrl: string; kind?: ProviderKind; quirks?: Partial<ProviderQuirks> }

/** Default endpoints of the providers the catalog knows; any other name works as OpenAI-compatible with <NAME>_BASE_URL. */
const KNOWN: Record<string, Known> = {
  openai: { baseUrl: "https://api.openai.com/v1", quirks: { maxTokensField: "max_completion_tokens" } },
  anthropic: { baseUrl: "https://api.anthropic.com/v1", kind: "anthropic" },
  google: { baseUrl: "https://generativelanguage.googleapis.com/v1beta", kind: "google" },
  cohere: { baseUrl: "https://api.cohere.com/v2", kind: "cohere" },
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

function authHeaders(kind: ProviderKind, apiKey: string | null): Record<string, string> {
  if (!apiKey) return {};
  if (kind === "anthropic") return { "x-api-key": apiKey };
  if (kind === "google") return { "x-goog-api-key": apiKey };
  return { authorization: `Bearer ${apiKey}` };
}

function wire(kind: ProviderKind, quirks: ProviderQuirks): Pick<Provider, "chat" | "errorMessage" | "retryAfterFromBody"> {
  if (kind === "anthropic") return { chat: anthropicChat, errorMessage: anthropicError };
  if (kind === "google") return { chat: geminiChat, errorMessage: geminiError, retryAfterFromBody: retryDelaySeconds };
  if (kind === "cohere") return { chat: cohereChat, errorMessage: cohereErrorMessage };
  return { chat: openAICompatibleChat(quirks), errorMessage: openAIErrorMessage };
}

/**
 * A provider is usable when its key (<NAME>_API_KEY) is set, or when only <NAME>_BASE_URL is set
 * (a keyless local endpoint). The demo provider is usable only when DEMO_PROVIDER=on.
 */
export function resolveProvider(env: Env, name: string, demoEnabled: boolean): Provider | null {
  // Built once per env object, provider name and demo setting (env is fixed for an isolate's life):
  // building it on every request (env reads, the transform's closures) showed in the V8 profile.
  let known = resolved.get(env);
  if (!known) resolved.set(env, (known = new Map()));
  const key = `${name}\u0000${demoEnabled}`;
  let provider = known.get(key);
  if (provider === undefined) known.set(key, (provider = buildProvider(env, name, demoEnabled)));
  return provider;
}

const resolved = new WeakMap<Env, Map<string, Provider | null>>();

function buildProvider(env: Env, name: string, demoEnabled: boolean): Provider | null {
  if (name === "demo") {
    if (!demoEnabled) return null;
    return {
      name, kind: "openai", baseUrl: "http://demo.invalid/v1", apiKey: null, quirks: OPENAI_DEFAULTS, authHeaders: {},
      ...wire("openai", OPENAI_DEFAULTS), fetch: demoFetch,
    };
  }
  const prefix = envPrefix(name) as Uppercase<string>;
  const apiKey = env[`${prefix}_API_KEY`] || null;
  const configuredUrl = env[`${prefix}_BASE_URL`] || null;
  const known = KNOWN[name];
  const baseUrl = configuredUrl ?? known?.baseUrl;
  if (!baseUrl || (!apiKey && !configuredUrl)) return null;
  const kind = known?.kind ?? "openai";
  const quirks = { ...OPENAI_DEFAULTS, ...known?.quirks };
  return {
    name, kind, baseUrl: baseUrl.replace(/\/+$/, ""), apiKey, quirks, authHeaders: authHeaders(kind, apiKey),
    ...wire(kind, quirks), fetch: (request) => fetch(request),
  };
}

/** The same provider with the caller's own key (BYOK) in place of the gateway's. */
export function withOwnKey(provider: Provider, apiKey: string, allowFallback: boolean): Provider {
  return { ...provider, apiKey, authHeaders: authHeaders(provider.kind, apiKey), byok: { allowFallback } };
}
