// The page's shared state and its few page-wide events. Every section reads the same `state`
// (the client in use and how it reaches Kling, the current source, the last result, the poll
// interval, the demo user's session); a section that changes something another shows says so
// with `emit`: "source" (a new source video), "tasks" (the user's tasks, or the client listing
// them, changed: the history reloads), "budget" (a task ended: the budget and units are read
// again), "chains" (a chain started or ended: the chain list reloads). The entry (app.js), or the
// section that shows the thing, listens with `on`: sections never import one another to refresh.

export const state = {
  config: { mode: "simulator", samples: [] },
  via: "edge", // or "direct"
  edge: null,
  client: null,
  directBase: null, // the base URL of a direct connection
  source: null, // {videoId, duration, model, url, label}
  result: null, // the last result, in the source's shape ("Use as source")
  pollIntervalMs: undefined, // undefined: the package's adaptive default (5 s, up to 15 s)
  session: null, // {user, token, expiresIn, renewAt} from the demo server
  renewing: null, // a /config.json fetch under way
};

/** The `KlingClient` in use: the edge function's, or the one with the user's own keys. */
export const client = () => state.client;
/** How the page reaches Kling: "edge" or "direct". */
export const via = () => state.via;

const listeners = new Map();

/** Calls `fn(...args)` on every `emit(event, ...args)`. */
export function on(event, fn) {
  if (!listeners.has(event)) listeners.set(event, []);
  listeners.get(event).push(fn);
}

/** Tells the listeners of `event`, in the order they were added. */
export function emit(event, ...args) {
  for (const fn of listeners.get(event) ?? []) fn(...args);
}
