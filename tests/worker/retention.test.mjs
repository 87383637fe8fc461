// Retention: task records, chains and kept videos are forgotten after RETENTION_DAYS, by the user
// store's alarm; running work is kept. The R2 lifecycle rule beside wrangler.toml says the same.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { auth, postJson, SOURCE, startChain, startPair, until, untilChain, untilStatus, WORKER_DIR } from "./support.mjs";

const DAY_S = 86_400;

test("records, chains and kept videos are forgotten after RETENTION_DAYS", async (t) => {
  // 0.00004 days ≈ 3.5 s.
  const { url } = await startPair(t, { extra: { RETENTION_DAYS: "0.00004" } });
  const me = await auth();
  const created = await postJson(`${url}/extensions`, { video_id: SOURCE, external_task_id: "short-lived" });
  assert.equal(created.status, 202, created.text);
  const done = await untilStatus(url, "short-lived", "succeed");
  const media = `${url}/media/${done.video.id}.mp4`;
  await until(async () => (await fetch(media, { headers: me })).status === 200, { what: "the video to be kept" });
  const chain = await startChain(url, { prompts: ["a"] });
  await untilChain(url, chain.id, "succeed");

  await until(
    async () => {
      const [record, video, c] = await Promise.all([
        fetch(`${url}/extensions/short-lived`, { headers: me }),
        fetch(media, { headers: me }),
        fetch(`${url}/chains/${chain.id}`, { headers: me }),
      ]);
      await Promise.all([record.text(), video.arrayBuffer(), c.text()]);
      return record.status === 404 && video.status === 404 && c.status === 404;
    },
    { timeoutMs: 20_000, interval: 250, what: "the record, its video and the chain to be forgotten" },
  );
  const list = await fetch(`${url}/extensions`, { headers: me }).then((r) => r.json());
  assert.deepEqual(list.data, []);
});

test("the R2 lifecycle rule expires objects after RETENTION_DAYS of wrangler.toml", async () => {
  const toml = await readFile(join(WORKER_DIR, "wrangler.toml"), "utf8");
  const days = Number(/^RETENTION_DAYS = "(\d+)"/m.exec(toml)?.[1]);
  assert.ok(days > 0, "wrangler.toml sets RETENTION_DAYS");
  const rules = JSON.parse(await readFile(join(WORKER_DIR, "r2-lifecycle.json"), "utf8")).rules;
  assert.equal(rules.length, 1);
  assert.equal(rules[0].enabled, true);
  assert.deepEqual(rules[0].deleteObjectsTransition.condition, { type: "Age", maxAge: days * DAY_S });
});
