// Type tests of the published .d.ts (`tsc -p tests/types`): what users write must type-check, and
// the mistakes below must not.
import {
  init,
  KlingClient,
  signToken,
  verifyCallback,
  parseCallback,
  type KlingError,
  type KlingErrorCode,
  type Task,
  type ExtendVideoParams,
} from "kling-edge";

export async function usage(): Promise<void> {
  await init();
  const kling = new KlingClient({ accessKey: "ak", secretKey: "sk", region: "cn", timeoutMs: 30_000, maxRetries: 3 });
  new KlingClient({ apiKey: "key" });
  new KlingClient({ token: async () => "jwt", baseUrl: "https://proxy.example.com" });
  new KlingClient();

  const params: ExtendVideoParams = { video_id: "743211632612511839", prompt: "A puppy appears", cfg_scale: 0.5, watermark_info: { enabled: true } };
  const created: Task = await kling.extendVideo(params);
  const controller = new AbortController();
  const done = await kling.waitForExtension(created.task_id, {
    signal: controller.signal,
    timeoutMs: 60_000,
    pollIntervalMs: 5000,
    onProgress: (task: Task) => console.log(task.task_status),
  });
  const url: string | undefined = done.task_result?.videos?.[0]?.url;
  const page: Task[] = await kling.listExtensions({ pageNum: 1, pageSize: 50 }, { timeoutMs: 5000 });
  for await (const task of kling.extensions({ pageSize: 100 })) console.log(task.task_id);
  const steps: Task[] = await kling.chainExtensions(
    { video_id: "v", prompts: ["a", { prompt: "b", cfg_scale: 0.2 }], video_duration: "5" },
    { onProgress: (task, info) => console.log(task.task_id, info?.step, info?.steps) },
  );
  await kling.extendVideoAndWait({ video_id: "v" });
  await kling.createTextToVideo({ prompt: "sunrise", model_name: "kling-v1-6", duration: "5", mode: "std", aspect_ratio: "16:9" });
  await kling.createImageToVideo({ model_name: "kling-v1-6", image: "https://example.com/cat.png" });
  const token: string = signToken("ak", "sk", { ttlSeconds: 600 });
  const fromCallback: Task = verifyCallback(new Headers(), "{}", "whsec_x");
  parseCallback(new Uint8Array());
  console.log(url, page, steps, token, fromCallback, JSON.stringify(kling.toJSON()));

  try {
    await kling.getExtension("id");
  } catch (err) {
    const e = err as KlingError;
    const code: KlingErrorCode = e.code;
    if (code === "ERR_KLING_TASK_FAILED") console.log(e.taskId, e.taskStatusMsg);
    if (e.code === "ERR_KLING_INVALID_REQUEST") console.log(e.field);
    console.log(e.apiCode, e.requestId, e.retryable, e.status, e.externalTaskId);
  }

  // @ts-expect-error video-extend takes video_id, not task_id
  await kling.extendVideo({ task_id: "123" });
  // @ts-expect-error duration is a string of seconds
  await kling.createTextToVideo({ prompt: "x", duration: 5 });
  // @ts-expect-error mode is std or pro
  await kling.createTextToVideo({ prompt: "x", mode: "standard" });
  // @ts-expect-error region is global or cn
  new KlingClient({ region: "eu" });
  // @ts-expect-error not an error code
  const bad: KlingErrorCode = "ERR_SOMETHING";
  console.log(bad);
}
