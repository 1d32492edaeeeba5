import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** A free loopback port for the stand-in upstream (test/standin), started by test/global-setup.ts. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const port = Number(process.env.STANDIN_PORT ?? (await freePort()));
process.env.STANDIN_PORT = String(port);
const standin = (provider: string) => `http://127.0.0.1:${port}/${provider}/v1`;

export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(fileURLToPath(new URL("./migrations", import.meta.url))),
          ADMIN_TOKEN: "test-admin-token",
          SESSION_SECRET: "test-session-secret-0123456789abcdef-0123456789",
          DEMO_PROVIDER: "on",
          BYOK_SECRET: "test-byok-secret-0123456789abcdef-0123456789",
          UPSTREAM_TIMEOUT_MS: "1500",
          OPENAI_API_KEY: "sk-upstream-openai-SECRET-0123456789abcdef",
          OPENAI_BASE_URL: standin("openai"),
          DEEPSEEK_API_KEY: "sk-upstream-deepseek-SECRET-0123456789",
          DEEPSEEK_BASE_URL: standin("deepseek"),
          XAI_API_KEY: "xai-upstream-SECRET-0123456789",
          XAI_BASE_URL: standin("xai"),
          GROQ_API_KEY: "gsk-upstream-SECRET-0123456789",
          GROQ_BASE_URL: standin("groq"),
          MISTRAL_API_KEY: "mistral-upstream-SECRET-0123456789",
          MISTRAL_BASE_URL: standin("mistral"),
          MOONSHOT_API_KEY: "sk-upstream-moonshot-SECRET-0123456789",
          MOONSHOT_BASE_URL: standin("moonshot"),
          COHERE_API_KEY: "cohere-upstream-SECRET-0123456789",
          COHERE_BASE_URL: `http://127.0.0.1:${port}/cohere/v2`,
          ANTHROPIC_API_KEY: "sk-ant-upstream-SECRET-0123456789",
          ANTHROPIC_BASE_URL: standin("anthropic"),
          GOOGLE_API_KEY: "google-upstream-SECRET-0123456789",
          GOOGLE_BASE_URL: `http://127.0.0.1:${port}/google/v1beta`,
          // OAuth and Stripe stand-ins (test/standin): locally signed tokens, verified by jose.
          OAUTH_GOOGLE_CLIENT_ID: "test-google-client",
          OAUTH_GOOGLE_CLIENT_SECRET: "test-google-secret",
          OAUTH_GOOGLE_AUTH_URL: `http://127.0.0.1:${port}/oauth/google/authorize`,
          OAUTH_GOOGLE_TOKEN_URL: `http://127.0.0.1:${port}/oauth/google/token`,
          OAUTH_GOOGLE_JWKS_URL: `http://127.0.0.1:${port}/oauth/google/jwks`,
          OAUTH_GOOGLE_ISSUER: `http://127.0.0.1:${port}/oauth/google`,
          OAUTH_GITHUB_CLIENT_ID: "test-github-client",
          OAUTH_GITHUB_CLIENT_SECRET: "test-github-secret",
          OAUTH_GITHUB_AUTH_URL: `http://127.0.0.1:${port}/oauth/github/authorize`,
          OAUTH_GITHUB_TOKEN_URL: `http://127.0.0.1:${port}/oauth/github/token`,
          OAUTH_GITHUB_API_URL: `http://127.0.0.1:${port}/oauth/github/api`,
          STRIPE_SECRET_KEY: "sk_test_standin_0123456789",
          STRIPE_WEBHOOK_SECRET: "whsec_test_standin_0123456789",
          STRIPE_API_BASE: `http://127.0.0.1:${port}/stripe`,
        },
      },
    })),
  ],
  test: {
    globalSetup: ["./test/global-setup.ts"],
    setupFiles: ["./test/setup.ts"],
    testTimeout: 20_000,
    // One Workers runtime per vitest worker, reused by the files it runs: starting a runtime and
    // importing the worker for each file cost about 5 s a file. test/setup.ts gives every file
    // clean storage. Two workers: most of a test's time is waiting on the runtime and the stand-in.
    isolate: false,
    maxWorkers: 2,
    // The worker's own logs (e.g. the usage-plane consumer's, delivered by the queue after a batch
    // timeout) go straight to the output instead of over vitest's RPC: a log arriving while a file's
    // environment closes otherwise fails the run ("Closing rpc while onUserConsoleLog was pending").
    disableConsoleIntercept: true,
  },
});
