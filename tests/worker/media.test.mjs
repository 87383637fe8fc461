// A single extension's result is kept in R2 too, and served to its owner only.

import assert from "node:assert/strict";
import { test } from "node:test";
import { auth, getRecord, postJson, SOURCE, startPair, until, untilStatus, WEBHOOK_SECRET } from "./support.mjs";

test("a single extension's video is kept in R2 and served to its owner, with ranges", async (t) => {
  const { url } = await startPair(t, { webhookSecret: WEBHOOK_SECRET });
  const me = await auth("kept@example.test");
  const created = await postJson(`${url}/extensions`, { video_id: SOURCE, prompt: "A fox runs by" }, me);
  assert.equal(created.status, 202, created.text);
  const { task_id: taskId } = JSON.parse(created.text);
  await untilStatus(url, taskId, "succeed", 15_000, me);
  const videoId = (await getRecord(url, taskId, me)).body.video?.id;
  assert.ok(videoId, "the record names its video");
  let kept;
  await until(
    async () => {
      kept = await fetch(`${url}/media/${videoId}.mp4`, { headers: me });
      return kept.status === 200;
    },
    { timeoutMs: 10_000, what: "the kept video" },
  );
  const bytes = new Uint8Array(await kept.arrayBuffer());
  assert.equal(kept.headers.get("content-type"), "video/mp4");
  assert.ok(bytes.length > 1000);
  const part = await fetch(`${url}/media/${videoId}.mp4`, { headers: { ...me, range: "bytes=0-9" } });
  assert.equal(part.status, 206);
  assert.deepEqual(new Uint8Array(await part.arrayBuffer()), bytes.slice(0, 10));
  const other = await fetch(`${url}/media/${videoId}.mp4`, { headers: await auth("someone-else@example.test") });
  assert.equal(other.status, 404, "another user's kept video is a 404");
});
