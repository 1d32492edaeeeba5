import { env } from "cloudflare:test";
import { findProvider } from "@pydantic/genai-prices";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script module without types
import { buildDataset } from "../../scripts/catalog/dataset.mjs";
import { parsePricePerMillion } from "../../src/lib/money";
import { addTestModels } from "../helpers/catalog";
import { admin, chat, createUser, settled, usageRows } from "../helpers/gateway";
import { planeDelivered } from "../helpers/usage-plane";

const SOURCE = "@pydantic/genai-prices@0.1.8";
type Change = { model: string; source: string; from: { input: number; output: number }; to: { input: number; output: number; cachedInput: number | null } };
type ImportAnswer = { changes: Change[]; end_of_life: string[]; applied: { price_versions: string[]; disabled: string[]; notices_queued: number; effective_at: string } | null };

/** The package's own numbers for openai/gpt-4.1-mini, as µUSD per 1M tokens. */
function packageNumbers() {
  const m = findProvider({ providerId: "openai" })!.models.find((x) => x.id === "gpt-4.1-mini")!;
  const p = m.prices as Record<string, number>;
  return { input: parsePricePerMillion(String(p.input_mtok))!, output: parsePricePerMillion(String(p.output_mtok))!, cached: parsePricePerMillion(String(p.cache_read_mtok))! };
}

/** The dataset price with a 10% markup (1000 basis points), rounded up, in integers. */
const mk = (micro: number) => Math.ceil((micro * 11_000) / 10_000);

async function importDataset(dataset: unknown, apply: boolean, markup_bp = 0): Promise<ImportAnswer> {
  const res = await admin("/catalog/import", { method: "POST", json: { dataset, apply, markup_bp } });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as ImportAnswer;
}

describe("catalog import from @pydantic/genai-prices", () => {
  it("diffs, applies with a markup, versions the price on usage records and emails the users of the model, every number traced to the dataset", async () => {
    // A catalog model sold as openai/gpt-4.1-mini (served here by the stand-in's echo scenario).
    await addTestModels(env, [["imp-gpt-4.1-mini", "openai", "echo"], ["imp-retired", "openai", "echo"]]);
    const user = await createUser("1.00");
    const before = await chat(user.key, { model: "imp-gpt-4.1-mini" });
    expect(before.status).toBe(200);
    await before.arrayBuffer();
    await planeDelivered(user.userId); // the user's usage of the model is in D1's rollups
    const dataset = buildDataset([{ id: "imp-gpt-4.1-mini", provider: "openai", upstream_model: "gpt-4.1-mini" }], SOURCE, new Date("2026-12-01T00:00:00Z"));
    dataset.models.push({ ...dataset.models[0], model_id: "imp-retired", deprecated: true });
    const n = packageNumbers();

    const dry = await importDataset(dataset, false, 1000);
    const change = dry.changes.find((c) => c.model === "imp-gpt-4.1-mini")!;
    expect(change.source).toBe(`${SOURCE} openai/gpt-4.1-mini`);
    expect(change.to).toMatchObject({ input: mk(n.input), output: mk(n.output), cachedInput: mk(n.cached) });
    expect(dry.end_of_life).toEqual(["imp-retired"]);
    expect(dry.applied).toBeNull();
    const untouched = await env.DB.prepare("SELECT input_price FROM models WHERE id = 'imp-gpt-4.1-mini'").first<{ input_price: number }>();
    expect(untouched!.input_price).toBe(1_000_000);

    const done = await importDataset(dataset, true, 1000);
    const version = `imp-gpt-4.1-mini@${done.applied!.effective_at}`;
    expect(done.applied).toMatchObject({ disabled: ["imp-retired"], notices_queued: 1 });
    expect(done.applied!.price_versions).toContain(version);
    const row = await env.DB.prepare("SELECT input_price, output_price, price_source, enabled FROM models WHERE id = 'imp-gpt-4.1-mini'").first();
    expect(row).toEqual({ input_price: mk(n.input), output_price: mk(n.output), price_source: `${SOURCE} openai/gpt-4.1-mini`, enabled: 1 });
    expect((await env.DB.prepare("SELECT enabled FROM models WHERE id = 'imp-retired'").first<{ enabled: number }>())!.enabled).toBe(0);
    const v = await env.DB.prepare("SELECT input_price, source, read_at, markup_bp FROM price_versions WHERE id = ?").bind(version).first();
    expect(v).toEqual({ input_price: mk(n.input), source: `${SOURCE} openai/gpt-4.1-mini`, read_at: "2026-12-01T00:00:00.000Z", markup_bp: 1000 });

    // Billed at the new version: the usage record names it, and its cost follows its numbers.
    const after = await chat(user.key, { model: "imp-gpt-4.1-mini" });
    await after.arrayBuffer();
    await settled(user.userId);
    const logs = { results: (await usageRows(user.userId)) as { price_version: string; prompt_tokens: number; completion_tokens: number; cost_nano: number }[] };
    expect(logs.results.map((l) => l.price_version)).toEqual(["imp-gpt-4.1-mini@2026-11-01", version]);
    const last = logs.results[1]!;
    expect(last.cost_nano).toBe(Math.round((last.prompt_tokens * mk(n.input) + last.completion_tokens * mk(n.output)) / 1000));
    expect(await env.DB.prepare("SELECT count(*) AS n FROM price_versions WHERE id = 'imp-gpt-4.1-mini@2026-11-01'").first<{ n: number }>()).toEqual({ n: 1 });

    const mail = await env.DB.prepare("SELECT data FROM email_outbox WHERE user_id = ? AND template = 'price_change'").bind(user.userId).all<{ data: string }>();
    expect(mail.results).toHaveLength(1);
    const data = JSON.parse(mail.results[0]!.data) as { models: string };
    expect(data.models).toContain(`imp-gpt-4.1-mini: input 1.00 → ${`0.${String(mk(n.input)).padStart(6, "0")}`.replace(/0+$/, "")}`);
    expect(data.models).toContain(`source: ${SOURCE} openai/gpt-4.1-mini`);

    // Importing the same dataset again changes nothing and mails nobody.
    const again = await importDataset(dataset, true, 1000);
    expect(again.changes.filter((c) => c.model === "imp-gpt-4.1-mini")).toEqual([]);
    expect(again.applied!.notices_queued).toBe(0);
  });
});
