// The "bare" system of the benchmark: the smallest possible pass-through worker on the same
// runtime (workerd) as the gateway. It forwards the request to the stand-in upstream and returns
// the upstream's response as it is (status, headers and body stream untouched).
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.UPSTREAM_ORIGIN + url.pathname + url.search, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
  },
};
