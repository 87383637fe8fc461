// Request validation for the task families, following Kling's API documentation.
// Structural problems (not a JSON object, unknown field) → 1200; bad values → 1201.
// A null field counts as absent: serializers often emit null for "not set".
import { ApiError } from "./http.mjs";
import { allows, DEFAULT_MODEL, discontinuedMessage, modelInfo, unsupportedMessage } from "./models.mjs";

const MAX_PROMPT = 2500;
const MAX_SHOT_PROMPT = 512;

const invalid = (message) => new ApiError(1201, message);

function string(name, value) {
  if (typeof value !== "string") throw invalid(`${name} must be a string`);
  return value;
}

function prompt(name, value) {
  string(name, value);
  // Kling counts characters, not UTF-16 units or bytes.
  if ([...value].length > MAX_PROMPT) throw invalid(`${name} cannot exceed ${MAX_PROMPT} characters`);
  return value;
}

function oneOf(allowed) {
  return (name, value) => {
    if (!allowed.includes(value)) {
      throw invalid(`${name} must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`);
    }
    return value;
  };
}

function cfgScale(name, value) {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw invalid(`${name} must be a number in [0, 1]`);
  }
  return value;
}

// Any lowercase kling-… name: unknown ones are accepted (sim/lib/models.mjs), misspelt shapes are not.
function modelName(name, value) {
  if (!/^kling-[a-z0-9]+(-[a-z0-9]+)*$/.test(string(name, value))) throw invalid(`${name} "${value}" is not a known model`);
  return value;
}

function wholeSeconds(name, value) {
  if (typeof value !== "string" || !/^[1-9]\d*$/.test(value)) {
    throw invalid(`${name} must be a string of whole seconds, such as "5"`);
  }
  return value;
}

function boolean(name, value) {
  if (typeof value !== "boolean") throw invalid(`${name} must be true or false`);
  return value;
}

function watermarkInfo(name, value) {
  if (value === null || typeof value !== "object" || typeof value.enabled !== "boolean") {
    throw invalid(`${name} must be an object { "enabled": boolean }`);
  }
  return value.enabled;
}

function callbackUrl(name, value) {
  if (string(name, value) === "") return "";
  let url;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`${name} must be an absolute http(s) URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw invalid(`${name} must be an http(s) URL`);
  return value;
}

function image(name, value) {
  if (string(name, value).trim() === "") throw invalid(`${name} must not be empty`);
  if (value.startsWith("data:")) throw invalid(`${name} must be a URL or raw base64 without a "data:" prefix`);
  return value;
}

function object(name, value) {
  if (value === null || typeof value !== "object") throw invalid(`${name} must be an object`);
  return value;
}

function array(name, value) {
  if (!Array.isArray(value)) throw invalid(`${name} must be an array`);
  return value;
}

const COMMON = {
  negative_prompt: prompt,
  cfg_scale: cfgScale,
  watermark_info: watermarkInfo,
  callback_url: callbackUrl,
  external_task_id: string,
};

const MODE = oneOf(["std", "pro"]);
const ASPECT_RATIO = oneOf(["16:9", "9:16", "1:1"]);
const SOUND = oneOf(["on", "off"]);

// Multi-shot (kling-v3, kling-v3-omni): checked as a whole in multiShot() below.
const MULTI_SHOT = { multi_shot: boolean, shot_type: oneOf(["customize", "intelligence"]), multi_prompt: array };

const GENERATION = {
  ...COMMON,
  ...MULTI_SHOT,
  model_name: modelName,
  mode: MODE,
  duration: wholeSeconds,
  sound: SOUND,
  camera_control: object,
};

const SCHEMAS = {
  "video-extend": { ...COMMON, video_id: string, prompt },
  text2video: { ...GENERATION, prompt, aspect_ratio: ASPECT_RATIO },
  image2video: { ...GENERATION, prompt, image, image_tail: image, static_mask: string, dynamic_masks: array },
  "omni-video": {
    ...COMMON,
    ...MULTI_SHOT,
    model_name: modelName,
    prompt,
    mode: MODE,
    aspect_ratio: ASPECT_RATIO,
    duration: wholeSeconds,
    sound: SOUND,
    image_list: array,
    element_list: array,
    video_list: array,
  },
};

/**
 * Parses and validates a create body; returns the normalized task parameters.
 * @param {string} family  one of the API families
 * @param {Buffer} raw  the request body
 * @param {{ allowRetiredModels?: boolean }} [options]
 */
export function validateCreate(family, raw, { allowRetiredModels = false } = {}) {
  const body = parseObject(raw);
  const values = readFields(body, SCHEMAS[family], family);
  const common = {
    prompt: values.prompt ?? "",
    watermark: values.watermark_info ?? false,
    callbackUrl: values.callback_url || null,
    externalTaskId: values.external_task_id || null,
  };
  if (family === "video-extend") {
    if (values.video_id === undefined || values.video_id === "") throw invalid("video_id is required");
    return { ...common, videoId: values.video_id, modelName: null, mode: "std", duration: 5 };
  }
  return { ...common, ...generation(family, values, allowRetiredModels) };
}

function readFields(body, fields, where) {
  const values = {};
  for (const [key, value] of Object.entries(body)) {
    if (!Object.hasOwn(fields, key)) throw new ApiError(1200, `unknown field "${key}" for ${where}`);
    if (value !== null) values[key] = fields[key](key, value);
  }
  return values;
}

function generation(family, values, allowRetiredModels) {
  const model = availableModel(family, values.model_name, allowRetiredModels);
  if (family === "image2video" && (values.image === undefined || values.image === "")) throw invalid("image is required");
  const mode = values.mode ?? "std";
  const duration = Number(values.duration ?? "5");
  const inputs = family === "omni-video" ? omniInputs(values) : null;
  const base = inputs?.reference?.referType === "base";
  const shots = multiShot(values, duration, base);
  if (!shots && (values.prompt === undefined || values.prompt.trim() === "") && family !== "image2video") {
    throw invalid(values.prompt === undefined ? "prompt is required" : "prompt must not be empty");
  }

  // With a base video the output takes the input's length, so the requested duration is not checked.
  if (!base) {
    const textOrFirstFrame = inputs !== null && !inputs.reference && (inputs.firstFrame || inputs.images + inputs.elements === 0);
    const allowed = model.frameDurations && textOrFirstFrame ? model.frameDurations : model.durations;
    if (!allowed.includes(duration)) {
      const choices = allowed.length > 2 ? `"${allowed[0]}" to "${allowed.at(-1)}"` : allowed.map((d) => `"${d}"`).join(" or ");
      const when = model.frameDurations && textOrFirstFrame ? " from text or a first frame" : "";
      throw invalid(`duration "${duration}" is not supported by ${model.name}${when}: use ${choices}`);
    }
  }
  // Unsupported combinations get Kling's opaque answer.
  const opaque = (feature) => invalid(unsupportedMessage(model.name, mode, duration, feature));
  if (shots && !model.multiShot) throw opaque("multi_shot");
  const sound = values.sound === "on";
  if (sound && !allows(model.sound, mode)) throw opaque("sound");
  if (values.image_tail !== undefined && !allows(model.imageTail, mode)) throw opaque("image_tail");

  if (inputs) {
    if (sound && inputs.reference) throw invalid("sound cannot be on with a reference video (video_list)");
    if (values.aspect_ratio === undefined && !inputs.firstFrame && !base) {
      throw invalid("aspect_ratio is required without a first frame or a base video");
    }
    checkPlaceholders(values, shots, inputs);
  }
  return {
    modelName: model.name,
    mode,
    duration,
    aspectRatio: values.aspect_ratio ?? null,
    sound,
    multiShot: shots,
    reference: inputs?.reference ?? null,
  };
}

/** The model asked for, if it can generate on `family`; throws Kling's refusal otherwise. */
function availableModel(family, name, allowRetiredModels) {
  if (name === undefined && family === "omni-video") throw invalid("model_name is required");
  const model = modelInfo(name ?? DEFAULT_MODEL);
  if (model.status === "discontinued" || (model.status === "retired" && !allowRetiredModels)) {
    const refusal = invalid(discontinuedMessage(model.name));
    refusal.retiredModel = model.status === "retired" ? model.name : null;
    throw refusal;
  }
  if (!model.families.includes(family)) throw invalid(`model_name "${model.name}" is not available on ${family}`);
  return model;
}

/**
 * multi_shot, shot_type and multi_prompt together: 1–6 shots whose durations add up to the
 * video's. Returns whether the request is multi-shot.
 */
function multiShot(values, duration, base) {
  const on = values.multi_shot === true;
  if (!on) {
    if (values.multi_prompt !== undefined || values.shot_type !== undefined) {
      throw invalid("shot_type and multi_prompt need multi_shot: true");
    }
    return false;
  }
  const shotType = values.shot_type ?? "customize";
  if (shotType === "intelligence" && values.multi_prompt === undefined) return true;
  const shots = values.multi_prompt;
  if (shots === undefined) throw invalid('multi_prompt is required with shot_type "customize"');
  if (shots.length < 1 || shots.length > 6) throw invalid("multi_prompt must hold 1 to 6 shots");
  const fields = { index: shotIndex, prompt: shotPrompt, duration: shotDuration };
  const indexes = new Set();
  let total = 0;
  shots.forEach((shot, i) => {
    const where = `multi_prompt[${i}]`;
    if (shot === null || typeof shot !== "object" || Array.isArray(shot)) throw invalid(`${where} must be an object`);
    const item = readFields(shot, fields, where);
    for (const key of Object.keys(fields)) if (item[key] === undefined) throw invalid(`${where}.${key} is required`);
    if (indexes.has(item.index)) throw invalid(`${where}.index ${item.index} is used twice`);
    indexes.add(item.index);
    total += Number(item.duration);
  });
  if (!base && Math.abs(total - duration) > 1e-9) {
    throw invalid(`the multi_prompt durations add up to ${total} s, not the duration "${duration}"`);
  }
  return true;
}

function shotIndex(name, value) {
  if (!Number.isInteger(value) || value < 1 || value > 6) throw invalid(`${name} must be a whole number from 1 to 6`);
  return value;
}

function shotPrompt(name, value) {
  if (string(name, value).trim() === "") throw invalid(`${name} must not be empty`);
  if ([...value].length > MAX_SHOT_PROMPT) throw invalid(`${name} cannot exceed ${MAX_SHOT_PROMPT} characters`);
  return value;
}

function shotDuration(name, value) {
  if (typeof value !== "string" || !/^\d+(\.\d+)?$/.test(value) || Number(value) < 1) {
    throw invalid(`${name} must be a string of seconds, at least "1"`);
  }
  return value;
}

const IMAGE_ITEM = { image_url: image, type: oneOf(["first_frame", "end_frame"]) };
const ELEMENT_ITEM = { element_id: elementId };
const VIDEO_ITEM = {
  video_url: videoUrl,
  refer_type: oneOf(["feature", "base"]),
  keep_original_sound: oneOf(["yes", "no"]),
};

function elementId(name, value) {
  if ((typeof value !== "string" || value.trim() === "") && !Number.isSafeInteger(value)) {
    throw invalid(`${name} must be an element id`);
  }
  return String(value);
}

function videoUrl(name, value) {
  if (string(name, value) === "") throw invalid(`${name} must not be empty`);
  if (!/^https?:$/.test(safeUrl(value)?.protocol ?? "")) throw invalid(`${name} must be an http(s) URL`);
  return value;
}

function safeUrl(text) {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function items(values, key, fields, required) {
  return (values[key] ?? []).map((item, i) => {
    const where = `${key}[${i}]`;
    if (item === null || typeof item !== "object" || Array.isArray(item)) throw invalid(`${where} must be an object`);
    const read = readFields(item, fields, where);
    if (read[required] === undefined) throw invalid(`${where}.${required} is required`);
    return read;
  });
}

/** omni-video's image_list, element_list and video_list, checked together. */
function omniInputs(values) {
  const images = items(values, "image_list", IMAGE_ITEM, "image_url");
  const elements = items(values, "element_list", ELEMENT_ITEM, "element_id");
  const videos = items(values, "video_list", VIDEO_ITEM, "video_url");
  if (videos.length > 1) throw invalid("video_list holds at most 1 video");
  const limit = videos.length > 0 ? 4 : 7;
  if (images.length + elements.length > limit) {
    throw invalid(
      `image_list and element_list hold at most ${limit} inputs together${videos.length > 0 ? " with a reference video" : ""}; got ${images.length + elements.length}`,
    );
  }
  const frames = (type) => images.filter((item) => item.type === type).length;
  if (frames("first_frame") > 1 || frames("end_frame") > 1) throw invalid("image_list holds at most one first_frame and one end_frame");
  if (frames("end_frame") > 0 && frames("first_frame") === 0) throw invalid("an end_frame in image_list needs a first_frame");
  const [video] = videos;
  return {
    images: images.length,
    elements: elements.length,
    videos: videos.length,
    firstFrame: frames("first_frame") > 0,
    // refer_type defaults to "base" (the simulator's reading of Kling's docs; unverified).
    reference: video
      ? { url: video.video_url, referType: video.refer_type ?? "base", keepOriginalSound: video.keep_original_sound ?? null }
      : null,
  };
}

/** <<<image_n>>>, <<<video_n>>> and <<<element_n>>> in the prompts must name an input that exists. */
function checkPlaceholders(values, shots, inputs) {
  const prompts = [values.prompt ?? ""];
  if (shots && values.multi_prompt) prompts.push(...values.multi_prompt.map((shot) => shot.prompt));
  const counts = { image: inputs.images, video: inputs.videos, element: inputs.elements };
  for (const text of prompts) {
    for (const [, kind, n] of text.matchAll(/<<<(image|video|element)_(\d+)>>>/g)) {
      if (Number(n) < 1 || Number(n) > counts[kind]) {
        throw invalid(`the prompt names <<<${kind}_${n}>>> but the request has ${counts[kind]} ${kind}${counts[kind] === 1 ? "" : "s"}`);
      }
    }
  }
}

function parseObject(raw) {
  let body;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new ApiError(1200, "request body must be valid JSON");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new ApiError(1200, "request body must be a JSON object");
  }
  return body;
}

/** pageNum 1..1000 (default 1), pageSize 1..500 (default 30). */
export function validatePaging(query) {
  return {
    pageNum: pageParam(query, "pageNum", 1, 1000, 1),
    pageSize: pageParam(query, "pageSize", 1, 500, 30),
  };
}

function pageParam(query, name, min, max, fallback) {
  const text = query.get(name);
  if (text === null || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be an integer in [${min}, ${max}]`);
  }
  return value;
}
