import { Hono } from "hono";
import { z } from "zod";
import { loadCatalog, type Channel } from "../../catalog/catalog";
import { config } from "../../config";
import { channelHealth } from "../../health/health";
import { validate } from "../../middleware/validate";
import type { AdminEnv } from "../../middleware/admin-auth";

const query = z.object({
  model: z.string().min(1).max(256).optional(),
  /** The last channel id of the previous page (channels are listed by id). */
  cursor: z.string().min(1).max(600).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

/**
 * Operator API: GET /channels — every channel that serves an enabled model, with its shared
 * circuit-breaker view (src/health). `peek` takes no probe slot, so looking changes nothing.
 * A channel whose health object does not answer shows as healthy (the request path does the same).
 */
export const adminChannels = new Hono<AdminEnv>().get("/channels", validate("query", query), async (c) => {
  const { model, cursor, limit } = c.req.valid("query");
  const catalog = await loadCatalog(c.env, config(c.env).demoProvider);
  const byId = new Map<string, { channel: Channel; models: string[] }>();
  for (const m of catalog.models.values()) {
    if (model && m.id !== model) continue;
    for (const ch of m.channels) {
      const seen = byId.get(ch.id);
      if (seen) seen.models.push(m.id);
      else byId.set(ch.id, { channel: ch, models: [m.id] });
    }
  }
  const all = [...byId.values()].sort((a, b) => (a.channel.id < b.channel.id ? -1 : 1)).filter((e) => !cursor || e.channel.id > cursor);
  const page = all.slice(0, limit);
  const views = await Promise.all(page.map((e) => channelHealth(c.env, e.channel.id).peek()));
  return c.json({
    data: page.map(({ channel: ch, models }, i) => ({
      id: ch.id, provider: ch.provider, upstream_model: ch.upstreamModel, priority: ch.priority, weight: ch.weight, models,
      state: views[i]!.state, allow: views[i]!.allow, cooling_down: views[i]!.coolingDown,
      retry_at: views[i]!.retryAt === undefined ? null : new Date(views[i]!.retryAt!).toISOString(),
    })),
    next_cursor: all.length > limit ? page.at(-1)!.channel.id : null,
  });
});
