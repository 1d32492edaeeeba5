import { useEffect, useRef, useState } from "preact/hooks";
import { playgroundChat } from "../api/me";
import { listModels } from "../api/public";
import type { CatalogModel } from "../api/types";
import { errorText, useAsync } from "../components/ui";
import { fmtNum, fmtUsd, t } from "../i18n";
import { loadHistory, saveHistory, type History, type Msg } from "../lib/history";
import { chooseModel, playgroundErrorMessage, playgroundModels, streamFailure } from "../lib/playground";
import { currentUser, useSession } from "../session";

// Conversation history lives in this browser only (P30), one entry per user, cleared on sign-out
// (src/session.ts); the server never stores prompts or replies (P16).

/** Reads an OpenAI chat stream: content deltas as they come, and the usage of the final chunk. */
async function readStream(res: Response, onDelta: (text: string) => void): Promise<{ prompt_tokens: number; completion_tokens: number; cost?: number } | null> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  let usage = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let i: number;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const event = buf.slice(0, i);
      buf = buf.slice(i + 2);
      for (const line of event.split("\n")) {
        if (!line.startsWith("data:")) continue;
        const data = line.slice(5).trim();
        if (data === "[DONE]") continue;
        const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string } }[]; usage?: typeof usage; error?: { message?: string; code?: string } };
        if (chunk.error) throw streamFailure(chunk.error);
        const text = chunk.choices?.[0]?.delta?.content;
        if (text) onDelta(text);
        if (chunk.usage) usage = chunk.usage;
      }
    }
  }
  return usage;
}

/** Cost from the usage's own `cost` (USD) when present, else from the catalog's prices. */
function replyCost(usage: { prompt_tokens: number; completion_tokens: number; cost?: number }, model: CatalogModel | undefined): number | null {
  if (typeof usage.cost === "number") return usage.cost;
  if (!model) return null;
  return usage.prompt_tokens * Number(model.pricing.prompt) + usage.completion_tokens * Number(model.pricing.completion);
}

/** The API's own message where it gave one (e.g. provider not configured, 402, 429), else our wording. */
function PlaygroundError({ error }: { error: unknown }) {
  if (!error) return null;
  return <div class="alert alert-error" role="alert">{playgroundErrorMessage(error) ?? errorText(error)}</div>;
}

export default function Playground() {
  const { user } = useSession();
  // Keyed by user: another user's history is never loaded into (or saved from) this one's page.
  return user ? <Chat key={user.id} userId={user.id} /> : null;
}

function Chat({ userId }: { userId: string }) {
  const catalog = useAsync(listModels);
  const { usable, unavailable } = playgroundModels(catalog.data?.data ?? []);
  const [state, setState] = useState<History>(() => loadHistory(localStorage, userId));
  const [input, setInput] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const abort = useRef<AbortController | null>(null);
  const model = chooseModel(state.model, usable);

  // Saved only while this user is still signed in: a reply arriving after sign-out is not written back.
  useEffect(() => { if (currentUser()?.id === userId) saveHistory(localStorage, userId, state); }, [state, userId]);

  const send = async (e: Event) => {
    e.preventDefault();
    if (!input.trim() || !model) return;
    const history: Msg[] = [...state.messages, { role: "user", content: input }];
    setState({ model, messages: [...history, { role: "assistant", content: "" }] });
    setInput("");
    setBusy(true);
    setError(null);
    abort.current = new AbortController();
    let text = "";
    try {
      const res = await playgroundChat({
        model, stream: true, stream_options: { include_usage: true },
        messages: history.map(({ role, content }) => ({ role, content })),
      }, abort.current.signal);
      const served = res.headers.get("x-gateway-model") ?? model;
      const usage = await readStream(res, (d) => {
        text += d;
        setState({ model, messages: [...history, { role: "assistant", content: text }] });
      });
      const meta = usage ? {
        model: served, provider: res.headers.get("x-gateway-provider") ?? undefined, prompt: usage.prompt_tokens, completion: usage.completion_tokens,
        cost: replyCost(usage, usable.find((m) => m.id === served)),
      } : undefined;
      setState({ model, messages: [...history, { role: "assistant", content: text, meta }] });
    } catch (err) {
      if (!(err instanceof DOMException && err.name === "AbortError")) setError(err);
      setState({ model, messages: text ? [...history, { role: "assistant", content: text }] : history });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>{t("playground_title")}</h1>
      <p class="muted">{t("playground_intro")}</p>
      <div class="row" style="margin-bottom:1rem">
        <label class="field">{t("model")}
          <select value={model} onChange={(e) => setState({ ...state, model: e.currentTarget.value })}>
            {usable.map((m) => <option key={m.id} value={m.id}>{m.id}</option>)}
            {unavailable.length > 0 && (
              <optgroup label={t("models_unavailable")}>
                {unavailable.map((m) => <option key={m.id} value={m.id} disabled>{m.id}</option>)}
              </optgroup>
            )}
          </select>
        </label>
        <button type="button" class="btn" onClick={() => setState({ model, messages: [] })} disabled={busy || state.messages.length === 0}>{t("clear_history")}</button>
      </div>
      <section class="chat" aria-live="polite" aria-label={t("conversation")}>
        {state.messages.length === 0 && <p class="muted">{t("playground_empty")}</p>}
        {state.messages.map((m, i) => (
          <div key={i} class={`msg msg-${m.role}`}>
            <strong>{m.role === "user" ? t("you") : t("assistant")}</strong>
            <div>{m.content}</div>
            {m.meta && (
              <p class="msg-meta" data-testid="reply-meta">
                {m.meta.model}{m.meta.provider ? ` · ${m.meta.provider}` : ""} · {t("tokens_in_out", { input: fmtNum(m.meta.prompt), output: fmtNum(m.meta.completion) })} · {t("cost")}: {m.meta.cost === null ? "—" : fmtUsd(m.meta.cost)}
              </p>
            )}
          </div>
        ))}
      </section>
      <PlaygroundError error={error} />
      <form class="stack" style="max-width:none" onSubmit={send}>
        <label class="field">{t("your_message")}
          <textarea value={input} onInput={(e) => setInput(e.currentTarget.value)} onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void send(e);
          }} />
        </label>
        <div class="actions">
          <button class="btn btn-primary" type="submit" disabled={busy || !model}>{t("send")}</button>
          {busy && <button class="btn" type="button" onClick={() => abort.current?.abort()}>{t("stop")}</button>}
          <span class="hint">{t("send_hint")}</span>
        </div>
      </form>
    </>
  );
}
