// Builds a 20-second video the way people do with Kling today: a 5-second text-to-video source on
// kling-v3, continued shot after shot (each next shot made by Omni-Video from the clip before it),
// and the clips joined into one MP4 without re-encoding (kling-edge/mp4).
//
// With KLING_ACCESS_KEY + KLING_SECRET_KEY (or KLING_API_KEY) set, it runs against the real API
// (KLING_BASE_URL overrides the host; it costs real units). Otherwise it starts the local Kling
// simulator and runs there, without keys.
import { mkdirSync, writeFileSync } from "node:fs";
import { KlingClient } from "kling-edge";
import { join } from "kling-edge/mp4";

const OUT = new URL("../../.tmp/long-video.mp4", import.meta.url);

const started = Date.now();
const log = (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);

async function target() {
  const { KLING_ACCESS_KEY: accessKey, KLING_SECRET_KEY: secretKey, KLING_API_KEY: apiKey, KLING_BASE_URL: baseUrl } = process.env;
  if (apiKey || (accessKey && secretKey)) {
    log(`using the real Kling API at ${baseUrl ?? "https://api-singapore.klingai.com"} (this costs units)`);
    return { options: apiKey ? { apiKey, baseUrl } : { accessKey, secretKey, baseUrl }, poll: 10_000, stop() {} };
  }
  const { startSimulator, SIM_DEFAULTS } = await import("../../sim/index.mjs");
  const sim = await startSimulator({ timing: { submittedMs: 400, processingMs: 1600 } });
  log(`no Kling keys in the environment: using the local simulator at ${sim.url}`);
  return {
    options: { accessKey: SIM_DEFAULTS.accessKey, secretKey: SIM_DEFAULTS.secretKey, baseUrl: sim.url },
    poll: 250,
    stop: () => sim.close(),
  };
}

function reporter(label) {
  let last;
  return (task, info) => {
    const status = task.task_status;
    const step = info ? `${label} ${info.step}/${info.steps}` : label;
    if (`${step}:${status}` === last) return;
    last = `${step}:${status}`;
    const video = task.task_result?.videos?.[0];
    const extra = video ? ` → ${video.duration} s, video ${video.id}` : "";
    log(`${step.padEnd(13)} task ${task.task_id} ${status}${extra}`);
  };
}

const { options, poll, stop } = await target();
try {
  const kling = new KlingClient(options);

  const source = await kling.textToVideo.create({
    model_name: "kling-v3",
    prompt: "Morning sunrise over a mountain lake, mist rising",
    duration: "5",
    aspect_ratio: "16:9",
    mode: "std",
  });
  const onSource = reporter("text2video");
  onSource(source);
  const made = await kling.textToVideo.wait(source.task_id, { pollIntervalMs: poll, onProgress: onSource });
  const first = made.task_result.videos[0];

  // Each shot continues the clip before it; re-running with the same external_task_id resumes.
  const run = await kling.chains.run(
    {
      method: "next-shot",
      video_id: first.id,
      video_url: first.url,
      video_duration: first.duration,
      prompts: [
        "Sun rises higher, birds begin flying across the lake",
        "A deer approaches the water's edge to drink",
        "Wide shot pulling back to reveal the full mountain range",
      ],
    },
    { pollIntervalMs: poll, onProgress: reporter("next shot") },
  );

  // Kling's URLs expire: the clips are fetched and joined now.
  const clips = await Promise.all(run.clips.map(async (c) => new Uint8Array(await (await fetch(c.url)).arrayBuffer())));
  const video = join(clips);
  mkdirSync(new URL(".", OUT), { recursive: true });
  writeFileSync(OUT, video);
  const units = [made, ...run.tasks].reduce((sum, t) => sum + Number(t.final_unit_deduction ?? 0), 0);
  log(`done: ${run.duration} s video in ${run.tasks.length + 1} tasks (${run.clips.length} clips joined), ${units} units charged`);
  console.log(`long video: ${OUT.pathname} (${(video.length / 1024).toFixed(0)} KB)`);
} catch (e) {
  console.error(`failed: ${e.code ?? e.name}: ${e.message}`);
  for (const key of ["apiCode", "requestId", "taskId", "externalTaskId", "field"]) {
    if (e[key] !== undefined) console.error(`  ${key}: ${e[key]}`);
  }
  process.exitCode = 1;
} finally {
  await stop();
}
