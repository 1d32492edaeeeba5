import { baseUrl } from "../components/Snippets";
import { t } from "../i18n";

export default function Docs() {
  const base = baseUrl();
  const api = base.replace(/\/v1$/, "");
  return (
    <div class="prose">
      <h1>{t("docs_title")}</h1>
      <p>{t("docs_intro")} <code>{base}</code></p>
      <nav aria-label={t("docs_contents")}>
        <ul>
          <li><a href="#openai">{t("docs_openai")}</a></li><li><a href="#anthropic">{t("docs_anthropic")}</a></li>
          <li><a href="#curl">curl</a></li><li><a href="#errors">{t("docs_errors")}</a></li>
          <li><a href="#limits">{t("docs_rate_limits")}</a></li><li><a href="#routing">{t("docs_routing")}</a></li>
        </ul>
      </nav>

      <h2 id="openai">{t("docs_openai")}</h2>
      <p>{t("docs_openai_body")}</p>
      <pre tabIndex={0}><code>{`import OpenAI from "openai";

const client = new OpenAI({ baseURL: "${base}", apiKey: process.env.GATEWAY_API_KEY });
const res = await client.chat.completions.create({
  model: "gpt-4.1-mini",
  messages: [{ role: "user", content: "Hi" }],
});
console.log(res.usage); // { prompt_tokens, completion_tokens, total_tokens, cost }`}</code></pre>
      <pre tabIndex={0}><code>{`from openai import OpenAI
client = OpenAI(base_url="${base}", api_key=GATEWAY_API_KEY)
stream = client.chat.completions.create(model="auto", messages=[{"role": "user", "content": "Hi"}],
                                        stream=True, stream_options={"include_usage": True})`}</code></pre>

      <h2 id="anthropic">{t("docs_anthropic")}</h2>
      <p>{t("docs_anthropic_body")}</p>
      <pre tabIndex={0}><code>{`import Anthropic from "@anthropic-ai/sdk";
const client = new Anthropic({ baseURL: "${api}", apiKey: process.env.GATEWAY_API_KEY });
const msg = await client.messages.create({
  model: "claude-haiku-4-5-20251001", max_tokens: 512,
  messages: [{ role: "user", content: "Hi" }],
});

# Claude Code
ANTHROPIC_BASE_URL=${api} ANTHROPIC_API_KEY=<gateway key> claude`}</code></pre>

      <h2 id="curl">curl</h2>
      <pre tabIndex={0}><code>{`curl ${base}/chat/completions \\
  -H "Authorization: Bearer $GATEWAY_API_KEY" -H "Content-Type: application/json" \\
  -d '{"model":"auto","messages":[{"role":"user","content":"Hello!"}]}'

curl ${base}/models            # ${t("docs_curl_models")}
curl ${base}/credits -H "Authorization: Bearer $GATEWAY_API_KEY"   # ${t("docs_curl_credits")}
curl "${base}/generation?id=gen-…" -H "Authorization: Bearer $GATEWAY_API_KEY"   # ${t("docs_curl_generation")}`}</code></pre>

      <h2 id="errors">{t("docs_errors")}</h2>
      <p>{t("docs_errors_body")}</p>
      <pre tabIndex={0}><code>{`{"error": {"message": "…", "type": "…", "code": "insufficient_credits", "param": null}}`}</code></pre>
      <div class="table-wrap" tabIndex={0}>
        <table class="data">
          <thead><tr><th scope="col">HTTP</th><th scope="col">{t("docs_meaning")}</th></tr></thead>
          <tbody>
            {([["400", "docs_e400"], ["401", "docs_e401"], ["402", "docs_e402"], ["403", "docs_e403"], ["404", "docs_e404"], ["413", "docs_e413"],
              ["429", "docs_e429"], ["502 / 503 / 504", "docs_e5xx"]] as const).map(([code, key]) => <tr key={code}><td>{code}</td><td>{t(key)}</td></tr>)}
          </tbody>
        </table>
      </div>

      <h2 id="limits">{t("docs_rate_limits")}</h2>
      <p>{t("docs_rate_limits_body")}</p>
      <pre tabIndex={0}><code>{`x-ratelimit-limit-requests      x-ratelimit-remaining-requests      x-ratelimit-reset-requests
x-ratelimit-limit-tokens        x-ratelimit-remaining-tokens        x-ratelimit-reset-tokens
x-request-id    x-gateway-model    x-gateway-provider    x-gateway-attempts
Retry-After (429)`}</code></pre>

      <h2 id="routing">{t("docs_routing")}</h2>
      <p>{t("docs_routing_body")}</p>
      <ol>
        <li>{t("docs_routing_1")}</li>
        <li>{t("docs_routing_2")}</li>
        <li>{t("docs_routing_3")}</li>
      </ol>
      <pre tabIndex={0}><code>{`{ "model": "auto", "provider": { "max_price": { "prompt": "0.50", "completion": "1.50" } }, "messages": [ … ] }
→ x-gateway-auto-model, x-gateway-auto-reason

{ "model": "kimi-k2", "models": ["deepseek-chat"],
  "provider": { "order": ["groq"], "allow_fallbacks": true, "ignore": ["together"] } }`}</code></pre>
      <p>{t("docs_fallbacks_body")}</p>
      <p><a href={`${base}/models/recommendations?task=code`}>{t("docs_recommendations")}</a></p>
    </div>
  );
}
