// The Worker's bindings as Miniflare takes them — the local twin of wrangler.toml, shared by the
// tests (tests/worker/support.mjs) and the demo server (www/serve.mjs) so a new binding is added
// in one place besides wrangler.toml. Not part of the deployed bundle.

/**
 * Miniflare options for a bundled Worker at `scriptPath` (its modules relative to `modulesRoot`):
 * modules rules, the Durable Objects, the chain Workflow, R2 and the per-user rate limit.
 */
export function workerBindings({ scriptPath, modulesRoot, createsPerMinute }) {
  return {
    modules: true,
    scriptPath,
    modulesRoot,
    // Miniflare treats .js as CommonJS and has no rule for .wasm (workerd compiles only imported modules).
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2026-04-01",
    durableObjects: {
      USERS: { className: "UserStore", useSQLite: true },
      ACCOUNT: { className: "AccountLedger", useSQLite: true },
      GATE: { className: "ConcurrencyGate", useSQLite: true },
    },
    // Chains run as Workflows; their videos are kept in R2.
    workflows: { CHAIN: { name: "kling-edge-chain", className: "Chain" } },
    r2Buckets: ["MEDIA"],
    ratelimits: { USER_CREATES_PER_MINUTE: { simple: { limit: createsPerMinute, period: 60 } } },
  };
}
