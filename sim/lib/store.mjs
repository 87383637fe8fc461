// Tasks of every family and their lifecycle: submitted → processing → succeed | failed,
// driven by timers so that every change can be announced to callbacks as it happens.
import { ApiError } from "./http.mjs";
import { Timers } from "./timers.mjs";
import { extensionRefusal, newNumericId } from "./videos.mjs";

const FAIL_MARKER = "[fail]";
const FAIL_MESSAGE = "Content risk control triggered (simulated)";

export class TaskStore {
  #tasks = new Map(); // task id → task, in creation order
  #byExternal = new Map(); // `${family}\n${external id}` → task
  #timers = new Timers();
  #generated = 0; // generating tasks created so far: each takes the next palette colour

  /**
   * @param {object} deps
   * @param {object} deps.config      live simulator config (timing, caps, extendSeconds, switches)
   * @param {() => number} deps.now   simulator clock, ms
   * @param {import('./videos.mjs').VideoRegistry} deps.videos
   * @param {import('./clips.mjs').ClipCatalog} deps.catalog  the clips generating tasks produce
   * @param {(task: object) => void} deps.onChange  called after every status change
   */
  constructor({ config, now, videos, catalog, onChange }) {
    this.config = config;
    this.now = now;
    this.videos = videos;
    this.catalog = catalog;
    this.onChange = onChange;
  }

  create(family, params) {
    if (params.externalTaskId && this.#byExternal.has(externalKey(family, params.externalTaskId))) {
      throw new ApiError(1201, `external_task_id "${params.externalTaskId}" is already used by another task`);
    }
    const parent = family === "video-extend" ? this.#extensionSource(params.videoId) : null;
    if (this.busyCount() >= this.config.maxConcurrentTasks) {
      throw new ApiError(1303, `Concurrency limit exceeded: ${this.config.maxConcurrentTasks} task(s) already in progress`);
    }
    const now = this.now();
    // A generating task's result is its own clip: the task's duration, aspect ratio and sound, the
    // next palette colour, or an unjoinable clip while mismatchNextClips lasts. Extensions keep the
    // legacy clips (their results are whole extended videos, up to 3 minutes).
    const clip = parent ? null : this.#pickClip(params);
    const task = {
      family,
      id: newNumericId((id) => this.#tasks.has(id) || this.videos.has(id)),
      externalTaskId: params.externalTaskId,
      params,
      status: "submitted",
      statusMsg: "",
      createdAt: now,
      updatedAt: now,
      // Extensions inherit model and mode from their source; they cannot be chosen.
      model: parent ? parent.model : params.modelName,
      mode: parent ? parent.mode : params.mode,
      parentVideo: parent ? { id: parent.id, duration: parent.duration } : null,
      resultDuration: parent ? parent.duration + this.config.extendSeconds : this.catalog.duration(clip),
      clip,
      resultVideo: null,
    };
    if (this.config.failNextTasks > 0) {
      this.config.failNextTasks -= 1;
      task.forceFail = true;
    }
    this.#tasks.set(task.id, task);
    if (task.externalTaskId) this.#byExternal.set(externalKey(family, task.externalTaskId), task);
    this.#schedule(task);
    this.onChange(task);
    return task;
  }

  /** Looks a task up by task id or external task id, within one family. */
  find(family, id) {
    const task = this.#tasks.get(id);
    if (task && task.family === family) return task;
    const external = this.#byExternal.get(externalKey(family, id));
    if (external) return external;
    throw new ApiError(1203, `task ${id} does not exist`);
  }

  /** Newest first; no total, like the real API. */
  list(family, pageNum, pageSize) {
    const tasks = this.all()
      .filter((task) => task.family === family)
      .reverse();
    return tasks.slice((pageNum - 1) * pageSize, pageNum * pageSize);
  }

  all() {
    return [...this.#tasks.values()];
  }

  /** Tasks hold a concurrency slot from submitted until they end. */
  busyCount() {
    let busy = 0;
    for (const task of this.#tasks.values()) if (task.status === "submitted" || task.status === "processing") busy++;
    return busy;
  }

  /** Drops every task and its pending transitions (the result videos go with them). */
  reset() {
    this.#timers.clear();
    this.#tasks.clear();
    this.#byExternal.clear();
    this.#generated = 0;
    this.videos.dropResults();
  }

  close() {
    this.#timers.clear();
  }

  #pickClip(params) {
    const mismatch = this.config.mismatchNextClips > 0;
    if (mismatch) this.config.mismatchNextClips -= 1;
    return this.catalog.pick({
      aspectRatio: params.aspectRatio,
      seconds: params.duration,
      sound: params.sound,
      colour: this.#generated++,
      mismatch,
    });
  }

  #extensionSource(videoId) {
    if (this.#tasks.has(videoId)) {
      throw new ApiError(1201, "video_id must be a video id (task_result.videos[].id), not a task id");
    }
    const video = this.videos.get(videoId);
    if (!video) throw new ApiError(1201, `video_id ${videoId} does not exist`);
    const refusal = extensionRefusal(video, this.now(), this.config.extendSeconds);
    if (refusal) throw new ApiError(1201, refusal);
    return video;
  }

  #schedule(task) {
    const { submittedMs, processingMs } = this.config.timing;
    this.#timers.after(submittedMs, () => {
      this.#advance(task, "processing");
      this.#timers.after(processingMs, () => this.#finish(task));
    });
  }

  #finish(task) {
    if (task.forceFail || task.params.prompt.includes(FAIL_MARKER)) {
      this.#advance(task, "failed", FAIL_MESSAGE);
      return;
    }
    task.resultVideo = this.videos.add({
      id: newNumericId((id) => this.#tasks.has(id) || this.videos.has(id)),
      model: task.model,
      mode: task.mode,
      duration: task.resultDuration,
      createdAt: this.now(),
      taskId: task.id,
      clip: task.clip,
    });
    this.#advance(task, "succeed");
  }

  #advance(task, status, statusMsg = "") {
    task.status = status;
    task.statusMsg = statusMsg;
    task.updatedAt = this.now();
    this.onChange(task);
  }
}

function externalKey(family, externalTaskId) {
  return `${family}\n${externalTaskId}`;
}
