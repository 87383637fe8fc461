// The mixed-users soak (tests/worker/soak.mjs), for one minute: `make soak` runs it for ten.
import { test } from "node:test";
import { runSoak } from "./soak.mjs";

test("a minute of mixed users, bad tokens, forged callbacks and a restart: the books balance", { timeout: 420_000 }, async (t) => {
  const figures = await runSoak({ seconds: 60 });
  t.diagnostic(JSON.stringify(figures));
});
