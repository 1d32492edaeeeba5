import type { CatalogModel } from "../catalog/catalog";
import type { Env } from "../env";
import { resolveProvider } from "../providers/registry";

/**
 * "Can this gateway serve the model now?": true when at least one of its serving channels has a
 * configured provider (the catalog gives a model without channel rows one channel, its own
 * provider). Matches the dispatcher, which tries every configured channel of a model.
 * Use as `available` for pickAutoModel and recommendations.
 */
export function servableOn(env: Env, demoEnabled: boolean): (m: CatalogModel) => boolean {
  const known = new Map<string, boolean>();
  const configured = (provider: string) => {
    let ok = known.get(provider);
    if (ok === undefined) known.set(provider, (ok = resolveProvider(env, provider, demoEnabled) !== null));
    return ok;
  };
  return (m) => m.channels.some((ch) => configured(ch.provider));
}

/** The distinct providers of a model's channels, in channel order (for messages). */
export function channelProviders(m: CatalogModel): string[] {
  return [...new Set(m.channels.map((ch) => ch.provider))];
}
