// Type tests of the published .d.ts (`tsc -p tests/types`): what users write must type-check, and
// the mistakes below must not.
import {
  type Account,
  type AccountCosts,
  type AccountCostsParams,
  type ChainClip,
  type ChainMethod,
  type ChainRun,
  type ChainStep,
  chainStep,
  checkParams,
  type ExtendVideoParams,
  type Extensions,
  errorAdvice,
  type ImageToVideo,
  init,
  isValidId,
  KlingClient,
  type KlingError,
  type KlingErrorCode,
  type KlingLimits,
  type KlingLogFields,
  type KlingLogger,
  type KlingLogLevel,
  type KlingPrice,
  limits,
  type PagePromise,
  parseCallback,
  planChain,
  pollIntervalMs,
  price,
  type ResourcePack,
  signToken,
  statusRank,
  type Task,
  type TextToVideo,
  verifyCallback,
} from "kling-edge";

export async function usage(): Promise<void> {
  await init();
  const kling = new KlingClient({ accessKey: "ak", secretKey: "sk", region: "cn", timeoutMs: 30_000, maxRetries: 3 });
  new KlingClient({ apiKey: "key" });
  new KlingClient({ token: async () => "jwt", baseUrl: "https://proxy.example.com" });
  new KlingClient();

  const params: ExtendVideoParams = {
    video_id: "743211632612511839",
    prompt: "A puppy appears",
    cfg_scale: 0.5,
    watermark_info: { enabled: true },
  };
  const created: Task = await kling.extensions.create(params);
  const controller = new AbortController();
  const done = await kling.extensions.wait(created.task_id, {
    signal: controller.signal,
    timeoutMs: 60_000,
    pollIntervalMs: 5000,
    onProgress: (task: Task) => console.log(task.task_status),
  });
  const url: string | undefined = done.task_result?.videos?.[0]?.url;
  const page: Task[] = await kling.extensions.list({ pageNum: 1, pageSize: 50 }, { timeoutMs: 5000 });
  for await (const task of kling.extensions.list({ pageSize: 100 })) console.log(task.task_id);
  const steps: Task[] = await kling.extensions.chain(
    { video_id: "v", prompts: ["a", { prompt: "b", cfg_scale: 0.2 }], video_duration: "5" },
    { onProgress: (task, info) => console.log(task.task_id, info?.step, info?.steps) },
  );
  await kling.extensions.createAndWait({ video_id: "v" });
  await kling.extensions.get("ext-1", { timeoutMs: 5000, maxRetries: 0 });

  // Every resource has the same five operations, typed by its own parameters.
  const resources: [Extensions, TextToVideo, ImageToVideo] = [kling.extensions, kling.textToVideo, kling.imageToVideo];
  for (const r of resources) {
    const listing: PagePromise = r.list({ pageSize: 10 });
    const firstPage: Task[] = await listing;
    for await (const task of listing) console.log(task.task_status, firstPage.length);
    await r.get("id", { signal: controller.signal });
    await r.wait("task", { timeoutMs: 1000 });
  }
  const t2v: Task = await kling.textToVideo.createAndWait({ prompt: "p", model_name: "kling-v3" }, { pollIntervalMs: 5000 });
  const t2vOne: Task = await kling.textToVideo.get(t2v.task_id);
  const t2vPage: Task[] = await kling.textToVideo.list();
  const t2vDone: Task = await kling.textToVideo.wait(t2vOne.task_id);
  const i2v: Task = await kling.imageToVideo.createAndWait({ model_name: "kling-v3", image: "iVBORw0KGgo=" });
  const i2vOne: Task = await kling.imageToVideo.get(i2v.task_id);
  const i2vPage: Task[] = await kling.imageToVideo.list({ pageNum: 2 });
  const i2vDone: Task = await kling.imageToVideo.wait(i2vOne.task_id);
  console.log(t2vPage, t2vDone, i2vPage, i2vDone);

  // A chain run step by step by a durable runner.
  const chain = { video_id: "v", prompts: ["a", "b"], external_task_id: "job" };
  const plan = planChain(chain);
  const next: ChainStep | null = chainStep(chain, [], 1);
  if (next?.family === "video-extend") await kling.extensions.createAndWait(next.params);
  if (next?.family === "omni-video") await kling.omniVideo.createAndWait(next.params);
  const framed = chainStep({ ...chain, video_url: "https://x/1.mp4", method: "last-frame" }, [], 1, { frame: "aGk=" });
  if (framed?.family === "image2video") await kling.imageToVideo.create(framed.params);

  // A long video on today's models, its clips in order.
  const run: ChainRun = await kling.chains.run(
    {
      video_url: "https://x/1.mp4",
      video_duration: 5,
      method: "next-shot",
      prompts: ["a", { prompt: "b", duration: 10 }],
      max_seconds: 600,
    },
    { onProgress: (task, info) => console.log(task.task_status, info?.step) },
  );
  const urls: Array<string | undefined> = run.clips.map((clip: ChainClip) => clip.url);
  const method: ChainMethod = run.method;
  console.log(urls, method, run.duration);
  const framing = new KlingClient({ lastFrame: async (clipUrl: string) => new Uint8Array(clipUrl.length) });
  console.log(framing);
  const pause: number = pollIntervalMs(60_000);
  console.log(plan.steps, plan.external_task_id, pause);

  // The rules, for a form or a service that must not copy them.
  const l: KlingLimits = limits();
  const checked = checkParams("video-extend", { video_id: "v", prompt: "p" });
  const ok: boolean = isValidId("ext-1") && statusRank("succeed") > statusRank("submitted");
  const advice: string = errorAdvice("ERR_KLING_ACCOUNT", 1102);
  console.log(l.maxPromptChars, l.cfgScale[1], checked, ok, advice);
  // @ts-expect-error not a family
  checkParams("video", {});
  await kling.textToVideo.create({ prompt: "sunrise", model_name: "kling-v3", duration: "5", mode: "std", aspect_ratio: "16:9" });
  await kling.imageToVideo.create({ model_name: "kling-v3", image: "https://example.com/cat.png" });
  await kling.textToVideo.create({ model_name: "kling-v3", prompt: "p", duration: "15", sound: "on", multi_shot: false });
  await kling.textToVideo.create({ model_name: "kling-v42-next", prompt: "any other model name is taken" });
  const omni: Task = await kling.omniVideo.createAndWait({
    model_name: "kling-v3-omni",
    prompt: "The next shot of <<<video_1>>>",
    video_list: [{ video_url: "https://example.com/v.mp4", refer_type: "feature", keep_original_sound: "yes" }],
    image_list: [{ image_url: "https://example.com/a.png", type: "first_frame" }],
    multi_shot: true,
    shot_type: "customize",
    multi_prompt: [{ index: 1, prompt: "wide", duration: "5" }],
    duration: "5",
  });
  for await (const t of kling.omniVideo.list({ pageSize: 10 })) console.log(t.task_id);
  const cost: KlingPrice = price("omni-video", { model_name: "kling-v3-omni", prompt: "p", aspect_ratio: "1:1" });
  const v3 = l.families.text2video.models.find((m) => m.name === "kling-v3");
  console.log(
    omni,
    cost.units,
    v3?.durations,
    l.retiredModels,
    checkParams("text2video", { model_name: "kling-v1-6", prompt: "p" }, { allowRetiredModels: true }),
  );
  // @ts-expect-error refer_type is feature or base
  await kling.omniVideo.create({ model_name: "kling-v3-omni", video_list: [{ video_url: "u", refer_type: "style" }] });
  const token: string = signToken("ak", "sk", { ttlSeconds: 600 });
  const fromCallback: Task = verifyCallback(new Headers(), "{}", "whsec_x");
  parseCallback(new Uint8Array());
  console.log(url, page, steps, token, fromCallback, JSON.stringify(kling.toJSON()));

  try {
    await kling.extensions.get("id");
  } catch (err) {
    const e = err as KlingError;
    const code: KlingErrorCode = e.code;
    if (code === "ERR_KLING_TASK_FAILED") console.log(e.taskId, e.taskStatusMsg);
    if (e.code === "ERR_KLING_INVALID_REQUEST") console.log(e.field);
    console.log(e.apiCode, e.requestId, e.retryable, e.status, e.externalTaskId);
    if (e.taskMayExist) await kling.extensions.create({ ...params, external_task_id: e.externalTaskId });
  }

  // @ts-expect-error video-extend takes video_id, not task_id
  await kling.extensions.create({ task_id: "123" });
  // @ts-expect-error duration is a string of seconds
  await kling.textToVideo.create({ prompt: "x", duration: 5 });
  // @ts-expect-error mode is std or pro
  await kling.textToVideo.create({ prompt: "x", mode: "standard" });
  // @ts-expect-error region is global or cn
  new KlingClient({ region: "eu" });
  // @ts-expect-error chain is for extensions only
  await kling.textToVideo.chain({ video_id: "v", prompts: ["a"] });
  // @ts-expect-error text2video takes a prompt, not a video_id
  await kling.textToVideo.createAndWait({ video_id: "v" });
  // @ts-expect-error image2video needs an image
  await kling.imageToVideo.create({ model_name: "kling-v3" });
  // @ts-expect-error the flat methods are gone
  await kling.extensions();
  // @ts-expect-error not an error code
  const bad: KlingErrorCode = "ERR_SOMETHING";
  console.log(bad);
}

export async function accountAndLogging(): Promise<void> {
  const fields: KlingLogFields[] = [];
  const logger: KlingLogger = {
    error: (_message: string, f: KlingLogFields) => fields.push(f),
    warn: (message, f) => console.warn(message, f.delayMs),
    info: console.info,
    debug: (message, f) => console.debug(message, f.method, f.path, f.status, f.apiCode, f.requestId, f.attempt, f.durationMs, f.code),
  };
  const level: KlingLogLevel = "debug";
  const kling = new KlingClient({ apiKey: "key", logLevel: level, logger });
  new KlingClient({ apiKey: "key", logger: console, logLevel: "off" });
  const account: Account = kling.account;
  const params: AccountCostsParams = { start_time: 0, end_time: Date.now(), resource_pack_name: "pack" };
  const costs: AccountCosts = await account.costs(params, { timeoutMs: 5000 });
  const packs: ResourcePack[] = costs.resource_pack_subscribe_infos;
  for (const p of packs) {
    const left: number = p.remaining_quantity;
    const until: number = p.invalid_time;
    if (p.status === "runOut" || p.resource_pack_type === "constant_period") console.log(p.resource_pack_name, left, until);
  }
  const requestId: string | undefined = costs._request_id;
  console.log(costs.code, costs.msg, requestId);
  // @ts-expect-error start_time is required
  await kling.account.costs({ end_time: 1 });
  // @ts-expect-error times are milliseconds as numbers
  await kling.account.costs({ start_time: "0", end_time: 1 });
  // @ts-expect-error not a log level
  new KlingClient({ logLevel: "verbose" });
  // @ts-expect-error a logger has error, warn, info and debug
  new KlingClient({ logger: { error() {} } });
}
