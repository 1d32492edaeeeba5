/**
 * DEMO PROVIDER — for local development only (DEMO_PROVIDER=on, set by `npm start`).
 * It answers in OpenAI's wire format without any provider key, so a fresh checkout can make a
 * first billed request. It does not call any model: it replies with a fixed explanation and
 * counts tokens roughly (4 characters per token). Never enable it in production.
 */
const REPLY = "Hello from the demo provider of your local LLM gateway. This answer did not come from a real model: " +
  "set OPENAI_API_KEY (or another provider's key) to reach real models. Your request was metered and billed " +
  "like any other, so its cost now shows in /api/v1/generation and in your balance.";

const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

interface DemoBody { model?: string; stream?: boolean; stream_options?: { include_usage?: boolean }; messages?: unknown; input?: unknown; max_tokens?: number; max_completion_tokens?: number }

function reply(body: DemoBody): string {
  const cap = body.max_completion_tokens ?? body.max_tokens;
  return cap !== undefined && cap * 4 < REPLY.length ? REPLY.slice(0, cap * 4) : REPLY;
}

function chat(body: DemoBody): Response {
  const text = reply(body);
  const usage = { prompt_tokens: tokens(JSON.stringify(body.messages ?? "")), completion_tokens: tokens(text), total_tokens: 0 };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  const base = { id: `demo-${crypto.randomUUID()}`, created: Math.floor(Date.now() / 1000), model: "demo", system_fingerprint: "demo" };
  if (!body.stream) {
    return Response.json({
      ...base, object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop", logprobs: null }], usage,
    });
  }
  const words = text.split(/(?<= )/);
  const events = [
    { ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] },
    ...words.map((w) => ({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: w }, finish_reason: null }] })),
    { ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
    ...(body.stream_options?.include_usage ? [{ ...base, object: "chat.completion.chunk", choices: [], usage }] : []),
  ];
  const sse = events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join("") + "data: [DONE]\n\n";
  return new Response(sse, { headers: { "content-type": "text/event-stream" } });
}

function embeddings(body: DemoBody): Response {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const data = inputs.map((input, index) => {
    const seed = JSON.stringify(input);
    const embedding = Array.from({ length: 8 }, (_, i) => ((seed.charCodeAt(i % seed.length) % 17) - 8) / 8);
    return { object: "embedding", index, embedding };
  });
  const prompt = tokens(JSON.stringify(body.input ?? ""));
  return Response.json({ object: "list", data, model: "demo", usage: { prompt_tokens: prompt, total_tokens: prompt } });
}

export async function demoFetch(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  const body = (await request.json()) as DemoBody;
  if (path.endsWith("/chat/completions")) return chat(body);
  if (path.endsWith("/embeddings")) return embeddings(body);
  return Response.json({ error: { message: "The demo provider has no such endpoint.", type: "invalid_request_error" } }, { status: 404 });
}
