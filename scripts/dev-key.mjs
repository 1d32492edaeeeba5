#!/usr/bin/env node
// Local development helper: creates a user with 5.00 USD of demo credit and an API key on the
// gateway started by `npm start`, and prints a first request to make. Uses the operator API with
// the local-only token that `npm start` sets (ADMIN_TOKEN=dev-admin-token).
// The gateway: GATEWAY_URL, else http://localhost:$PORT (PORT as given to `npm start`, default 8787).
const base = (process.env.GATEWAY_URL ?? `http://localhost:${process.env.PORT || 8787}`).replace(/\/+$/, "");
const token = process.env.ADMIN_TOKEN ?? "dev-admin-token";

async function call(path, body) {
  const res = await fetch(`${base}/api/admin${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

try {
  const user = await call("/users", { email: `dev-${Date.now()}@localhost.test`, name: "Local developer" });
  await call(`/users/${user.id}/credits`, { amount_usd: "5.00", note: "local development credit" });
  const key = await call(`/users/${user.id}/keys`, { name: "local dev" });
  console.log(`User ${user.id} has 5.00 USD of local credit.\n\nAPI key (shown once):\n  ${key.key}\n`);
  console.log(`First request:\n  curl ${base}/api/v1/chat/completions \\\n    -H "Authorization: Bearer ${key.key}" \\\n    -H "Content-Type: application/json" \\\n    -d '{"model":"demo","messages":[{"role":"user","content":"Hello!"}]}'\n`);
} catch (err) {
  console.error(`Could not create a key: ${err.message}\nIs the gateway running (npm start) on ${base}?`);
  process.exit(1);
}
