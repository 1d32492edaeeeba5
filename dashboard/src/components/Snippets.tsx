// The "first call" snippets with this deployment's base URL filled in.
import { useState } from "preact/hooks";
import { t } from "../i18n";
import { CopyButton } from "./ui";

export function baseUrl(): string { return `${location.origin}/api/v1`; }

export function snippets(model = "demo"): Record<"curl" | "python" | "javascript", string> {
  const base = baseUrl();
  return {
    curl: `curl ${base}/chat/completions \\
  -H "Authorization: Bearer $GATEWAY_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"model": "${model}", "messages": [{"role": "user", "content": "Hello!"}]}'`,
    python: `from openai import OpenAI
import os

client = OpenAI(base_url="${base}", api_key=os.environ["GATEWAY_API_KEY"])
res = client.chat.completions.create(
    model="${model}",
    messages=[{"role": "user", "content": "Hello!"}],
)
print(res.choices[0].message.content, res.usage)`,
    javascript: `import OpenAI from "openai";

const client = new OpenAI({ baseURL: "${base}", apiKey: process.env.GATEWAY_API_KEY });
const res = await client.chat.completions.create({
  model: "${model}",
  messages: [{ role: "user", content: "Hello!" }],
});
console.log(res.choices[0].message.content, res.usage);`,
  };
}

/** Tabs (ARIA tablist, arrow keys move between tabs) holding each snippet with a copy button. */
export function SnippetTabs({ model }: { model?: string }) {
  const all = snippets(model);
  const langs = Object.keys(all) as (keyof typeof all)[];
  const [active, setActive] = useState<keyof typeof all>("curl");
  const names = { curl: "curl", python: "Python", javascript: "JavaScript" };
  return (
    <div>
      <div class="tabs" role="tablist" aria-label={t("snippet_language")}>
        {langs.map((l, i) => (
          <button key={l} id={`tab-${l}`} type="button" role="tab" aria-selected={active === l} aria-controls={`panel-${l}`} tabIndex={active === l ? 0 : -1}
            onClick={() => setActive(l)}
            onKeyDown={(e) => {
              if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
              const next = langs[(i + (e.key === "ArrowRight" ? 1 : langs.length - 1)) % langs.length]!;
              setActive(next);
              document.getElementById(`tab-${next}`)?.focus();
            }}>{names[l]}</button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${active}`} aria-labelledby={`tab-${active}`}>
        <pre tabIndex={0}><code>{all[active]}</code></pre>
        <CopyButton text={all[active]} />
      </div>
    </div>
  );
}
