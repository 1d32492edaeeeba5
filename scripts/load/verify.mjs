// After the load: wait until nothing is in flight, drain every user's outbox through the
// operator API (GET /users/:id/usage flushes the Durable Object's outbox into D1 first), then
// compare, per user, the gateway's books with what the clients saw.
const OVERDRAFT_NANO = 50_000_000; // OVERDRAFT_LIMIT_USD default 0.05 (src/config.ts)

/** A USD decimal string ("-0.0000072", "99.5") as integer nano-USD, without a float. */
export function usdToNano(s) {
  const m = /^(-?)(\d+)(?:\.(\d{1,9}))?$/.exec(s);
  if (!m) throw new Error(`not a USD decimal: ${s}`);
  const nano = Number(m[2]) * 1e9 + Number((m[3] ?? "").padEnd(9, "0"));
  return m[1] ? -nano : nano;
}

export async function verify({ origin, adminToken, db, users, sent }) {
  const get = async (path) => {
    const res = await fetch(`${origin}/api/admin${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    return res.json();
  };
  const states = new Map();
  for (const u of users) {
    let s = await get(`/users/${u.id}`);
    for (let i = 0; i < 100 && s.in_flight > 0; i++) { await new Promise((r) => setTimeout(r, 100)); s = await get(`/users/${u.id}`); }
    await get(`/users/${u.id}/usage?limit=1`); // drains the outbox into D1
    states.set(u.id, await get(`/users/${u.id}`));
  }
  const ids = users.map((u) => u.id);
  const marks = ids.map(() => "?").join(",");
  const rowsOf = async (sql) => new Map((await db.prepare(sql.replace("$IDS", marks)).bind(...ids).all()).results.map((r) => [r.user_id, r]));
  const usage = await rowsOf("SELECT user_id, count(*) AS n, count(DISTINCT request_id) AS distinct_ids, coalesce(sum(cost_nano), 0) AS cost, sum(status = 'client_disconnected') AS disconnected, sum(status = 'success') AS success, min(cost_nano) AS min_cost FROM usage_logs WHERE user_id IN ($IDS) GROUP BY user_id");
  const txns = await rowsOf("SELECT user_id, count(*) AS n, coalesce(sum(amount_nano), 0) AS sum, min(balance_after_nano) AS min_after FROM transactions WHERE user_id IN ($IDS) GROUP BY user_id");

  const failures = [];
  const totals = { users: users.length, admitted: 0, usageRows: 0, duplicateUsageRows: 0, disconnectedRows: 0, successRows: 0, usageNano: 0, inFlight: 0, reservedNano: 0, ledgerMismatches: 0, usageCountMismatches: 0, minBalanceNano: Infinity, minBalanceAfterNano: Infinity, zeroCostRows: 0 };
  for (const u of users) {
    const s = states.get(u.id);
    const c = sent.get(u.id);
    const us = usage.get(u.id) ?? { n: 0, distinct_ids: 0, cost: 0, disconnected: 0, success: 0, min_cost: null };
    const tx = txns.get(u.id) ?? { n: 0, sum: 0, min_after: 0 };
    const balance = usdToNano(s.balance_usd);
    totals.admitted += c.admitted;
    totals.usageRows += us.n;
    totals.duplicateUsageRows += us.n - us.distinct_ids;
    totals.disconnectedRows += us.disconnected ?? 0;
    totals.successRows += us.success ?? 0;
    totals.usageNano += us.cost;
    totals.inFlight += s.in_flight;
    totals.reservedNano += usdToNano(s.reserved_usd);
    totals.minBalanceNano = Math.min(totals.minBalanceNano, balance);
    totals.minBalanceAfterNano = Math.min(totals.minBalanceAfterNano, tx.min_after);
    if (us.min_cost === 0) totals.zeroCostRows++;
    if (us.n !== c.admitted) { totals.usageCountMismatches++; failures.push(`${u.id}: ${us.n} usage records for ${c.admitted} admitted requests`); }
    if (us.n !== us.distinct_ids) failures.push(`${u.id}: ${us.n - us.distinct_ids} duplicate usage records`);
    if (tx.sum !== balance) { totals.ledgerMismatches++; failures.push(`${u.id}: Σ D1 transactions ${tx.sum} ≠ DO balance ${balance}`); }
    if (usdToNano(s.total_usage_usd) !== us.cost) failures.push(`${u.id}: DO usage ${s.total_usage_usd} USD ≠ Σ D1 usage cost ${us.cost} nUSD`);
    if (balance < -OVERDRAFT_NANO || tx.min_after < -OVERDRAFT_NANO) failures.push(`${u.id}: balance went below the overdraft bound (${Math.min(balance, tx.min_after)} nUSD)`);
    if (s.in_flight !== 0 || usdToNano(s.reserved_usd) !== 0) failures.push(`${u.id}: ${s.in_flight} still in flight, ${s.reserved_usd} USD reserved`);
  }
  return { totals, failures };
}
