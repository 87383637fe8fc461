// Builds a 20-second video the way people do with Kling: a 5-second text-to-video source, then three
// chained extensions, each continuing the previous result.
//
// With KLING_ACCESS_KEY + KLING_SECRET_KEY (or KLING_API_KEY) set, it runs against the real API
// (KLING_BASE_URL overrides the host; it costs real units). Otherwise it starts the local Kling
// simulator and runs there, without keys.
import { KlingClient } from "kling-edge";

const started = Date.now();
const log = (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);

async function target() {
  const { KLING_ACCESS_KEY: accessKey, KLING_SECRET_KEY: secretKey, KLING_API_KEY: apiKey, KLING_BASE_URL: baseUrl } = process.env;
  if (apiKey || (accessKey && secretKey)) {
    log(`using the real Kling API at ${baseUrl ?? "https://api-singapore.klingai.com"} (this costs units)`);
    return { options: apiKey ? { apiKey, baseUrl } : { accessKey, secretKey, baseUrl }, poll: 10_000, stop() {} };
  }
  const { startSimulator, SIM_DEFAULTS } = await import("../../sim/index.mjs");
  // As an account that kept access to the retired v1.x models (below).
  const sim = await startSimulator({ timing: { submittedMs: 400, processingMs: 1600 }, allowRetiredModels: true });
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
  // The legacy extend path: video-extend takes only kling-v1.x videos, and those models were
  // retired on 2026-09-15, so the source is made with `allowRetiredModels` (the simulator keeps
  // them; a real account needs to have kept access). Today's models continue a video with
  // omniVideo or image2video instead (docs/usage.md).
  const kling = new KlingClient({ ...options, allowRetiredModels: true });

  const source = await kling.textToVideo.create({
    model_name: "kling-v1-6", // retired, but only v1.x videos can be extended
    prompt: "Morning sunrise over a mountain lake, mist rising",
    duration: "5",
    mode: "std",
  });
  const onSource = reporter("text2video");
  onSource(source);
  const made = await kling.textToVideo.wait(source.task_id, { pollIntervalMs: poll, onProgress: onSource });
  const first = made.task_result.videos[0];

  const steps = await kling.extensions.chain(
    {
      video_id: first.id,
      video_duration: first.duration,
      prompts: [
        "Sun rises higher, birds begin flying across the lake",
        "A deer approaches the water's edge to drink",
        "Wide shot pulling back to reveal the full mountain range",
      ],
    },
    { pollIntervalMs: poll, onProgress: reporter("extension") },
  );

  const final = steps.at(-1).task_result.videos[0];
  const units = [made, ...steps].reduce((sum, t) => sum + Number(t.final_unit_deduction ?? 0), 0);
  log(`done: ${final.duration} s video in ${steps.length + 1} tasks, ${units} units charged`);
  console.log(`final video: ${final.url}`);
} catch (e) {
  console.error(`failed: ${e.code ?? e.name}: ${e.message}`);
  for (const key of ["apiCode", "requestId", "taskId", "externalTaskId", "field"]) {
    if (e[key] !== undefined) console.error(`  ${key}: ${e[key]}`);
  }
  process.exitCode = 1;
} finally {
  await stop();
}
