// Shared test helpers: a fast simulator, authenticated requests and JWTs made independently.
import { SignJWT } from "jose";
import { SIM_DEFAULTS, startSimulator } from "../index.mjs";

export const FAST = { submittedMs: 20, processingMs: 50 };

export function startFast(options = {}) {
  return startSimulator({ timing: FAST, ...options });
}

/** A JWT the way the Kling docs build one; `nowS` and the claims can be bent for tests. */
export function makeJwt({
  accessKey = SIM_DEFAULTS.accessKey,
  secretKey = SIM_DEFAULTS.secretKey,
  nowS = Math.floor(Date.now() / 1000),
  exp = nowS + 1800,
  nbf = nowS - 5,
} = {}) {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(accessKey)
    .setExpirationTime(exp)
    .setNotBefore(nbf)
    .sign(new TextEncoder().encode(secretKey));
}

/** Calls the API; returns { status, headers, body } with body parsed when it is JSON. */
export async function api(sim, method, path, body, { token = SIM_DEFAULTS.apiKey, headers = {}, signal } = {}) {
  const response = await fetch(sim.url + path, {
    method,
    headers: {
      ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    signal,
  });
  const text = await response.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

export async function waitFor(check, { timeoutMs = 3000, intervalMs = 10 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("waitFor: timed out");
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Polls a task until it ends; returns its final `data`. */
export async function waitForTask(sim, family, id) {
  return waitFor(async () => {
    const { body } = await api(sim, "GET", `/v1/videos/${family}/${id}`);
    return ["succeed", "failed"].includes(body.data?.task_status) ? body.data : null;
  });
}

export const SAMPLE = {
  v16: "800000000000000001",
  v15: "800000000000000002",
  v2: "800000000000000003",
  expired: "800000000000000004",
  long: "800000000000000005",
  v15pro: "800000000000000006",
  v1: "800000000000000007",
};
