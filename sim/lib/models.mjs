// Kling's model calendar and capability matrix, as Kling's documentation of late 2026 gives it: which family takes which model, which models are gone, and what each one accepts.
// The one home of these rules in the simulator; sim/README.md's model table is held to it by
// sim/test/models.test.mjs.

const TEXT = "text2video";
const IMAGE = "image2video";
const OMNI = "omni-video";

const FIVE_TEN = Object.freeze([5, 10]);
const range = (from, to) => Object.freeze(Array.from({ length: to - from + 1 }, (_, i) => from + i));

// status: "active" | "retired" (2026-09-15; accepted with allowRetiredModels) | "discontinued"
// (refused always: no account keeps kling-v1). imageTail and sound: "all" modes, "pro" only, or
// "none". frameDurations: durations when the input is text alone or a first frame (kling-video-o1).
const MODEL_LIST = [
  { name: "kling-v1", families: [TEXT, IMAGE], status: "discontinued", durations: FIVE_TEN },
  // The legacy models keep the simulator's old, permissive image_tail rule for accounts that kept access.
  { name: "kling-v1-5", families: [TEXT, IMAGE], status: "retired", durations: FIVE_TEN, imageTail: "all" },
  { name: "kling-v1-6", families: [TEXT, IMAGE], status: "retired", durations: FIVE_TEN, imageTail: "all" },
  { name: "kling-v2-1", families: [TEXT, IMAGE], status: "retired", durations: FIVE_TEN, imageTail: "pro" },
  { name: "kling-v2-1-master", families: [TEXT, IMAGE], status: "retired", durations: FIVE_TEN },
  // Status unknown in late 2026: accepted.
  { name: "kling-v2-master", families: [TEXT, IMAGE], status: "active", durations: FIVE_TEN },
  { name: "kling-v2-5-turbo", families: [TEXT, IMAGE], status: "active", durations: FIVE_TEN, imageTail: "pro" },
  {
    name: "kling-v2-6",
    families: [TEXT, IMAGE],
    status: "active",
    durations: FIVE_TEN,
    imageTail: "pro",
    sound: "pro",
  },
  {
    name: "kling-v3",
    families: [TEXT, IMAGE],
    status: "active",
    durations: range(3, 15),
    imageTail: "all",
    sound: "all",
    multiShot: true,
  },
  {
    name: "kling-video-o1",
    families: [OMNI],
    status: "active",
    durations: range(3, 10),
    frameDurations: FIVE_TEN,
  },
  { name: "kling-v3-omni", families: [OMNI], status: "active", durations: range(3, 15), sound: "all", multiShot: true },
];

const DEFAULTS = { imageTail: "none", sound: "none", multiShot: false, frameDurations: null };

/** Known models by name, each with every capability spelled out. */
export const MODELS = Object.freeze(
  Object.fromEntries(MODEL_LIST.map((model) => [model.name, Object.freeze({ ...DEFAULTS, ...model, known: true })])),
);

/**
 * What an unknown model name gets: Kling releases models every few months, so a name the
 * simulator does not know is accepted on every family with the widest rules.
 */
function genericModel(name) {
  return {
    name,
    known: false,
    families: [TEXT, IMAGE, OMNI],
    status: "active",
    durations: range(3, 15),
    imageTail: "all",
    sound: "all",
    multiShot: true,
    frameDurations: null,
  };
}

export function modelInfo(name) {
  return MODELS[name] ?? genericModel(name);
}

/** The model a text2video or image2video create without model_name asks for. */
export const DEFAULT_MODEL = "kling-v1";

/** Kling's live answer for a model that can no longer generate. */
export function discontinuedMessage(name) {
  return `The model '${name}' has been discontinued and is no longer available`;
}

/** Whether `capability` ("all" | "pro" | "none") allows `mode`. */
export function allows(capability, mode) {
  return capability === "all" || (capability === "pro" && mode === "pro");
}

/** Kling's opaque answer to an unsupported combination ("kling-v2-5-turbo/std/10 is not supported with image_tail"). */
export function unsupportedMessage(model, mode, duration, feature) {
  return `${model}/${mode}/${duration} is not supported with ${feature}`;
}

export const RETIRED_MODELS = Object.freeze(MODEL_LIST.filter((m) => m.status === "retired").map((m) => m.name));
