// Request validation for the three task families, following shared/kling-api.md.
// Structural problems (not a JSON object, unknown field) → 1200; bad values → 1201.
// A null field counts as absent: serializers often emit null for "not set".
import { ApiError } from "./http.mjs";

const MAX_PROMPT = 2500;
// Kling's default model when model_name is absent; it can no longer generate (shared/kling-api.md).
const DEFAULT_MODEL = "kling-v1";
const DISCONTINUED_MODELS = Object.freeze(["kling-v1"]);

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

function requiredPrompt(name, value) {
  if (prompt(name, value).trim() === "") throw invalid(`${name} must not be empty`);
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

function modelName(name, value) {
  if (!/^kling-v\d+(-[a-z0-9]+)*$/.test(string(name, value))) throw invalid(`${name} "${value}" is not a known model`);
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

const GENERATION = {
  ...COMMON,
  model_name: modelName,
  mode: oneOf(["std", "pro"]),
  duration: oneOf(["5", "10"]),
  camera_control: object,
};

const SCHEMAS = {
  "video-extend": { required: ["video_id"], fields: { ...COMMON, video_id: string, prompt } },
  text2video: {
    required: ["prompt"],
    fields: { ...GENERATION, prompt: requiredPrompt, aspect_ratio: oneOf(["16:9", "9:16", "1:1"]) },
  },
  image2video: {
    required: ["image"],
    fields: { ...GENERATION, prompt, image, image_tail: image, static_mask: string, dynamic_masks: array },
  },
};

/** Parses and validates a create body; returns the normalized task parameters. */
export function validateCreate(family, raw) {
  const body = parseObject(raw);
  const { required, fields } = SCHEMAS[family];
  const values = {};
  for (const [key, value] of Object.entries(body)) {
    if (!(key in fields)) throw new ApiError(1200, `unknown field "${key}" for ${family}`);
    if (value !== null) values[key] = fields[key](key, value);
  }
  for (const key of required) {
    if (values[key] === undefined || values[key] === "") throw invalid(`${key} is required`);
  }
  const model = values.model_name ?? DEFAULT_MODEL;
  // A generation with kling-v1, named or by default, is refused as Kling does since 2026-09.
  if (family !== "video-extend" && DISCONTINUED_MODELS.includes(model)) {
    throw invalid(`The model '${model}' has been discontinued and is no longer available`);
  }
  return {
    prompt: values.prompt ?? "",
    videoId: values.video_id,
    modelName: model,
    mode: values.mode ?? "std",
    duration: Number(values.duration ?? "5"),
    watermark: values.watermark_info ?? false,
    callbackUrl: values.callback_url || null,
    externalTaskId: values.external_task_id || null,
  };
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
