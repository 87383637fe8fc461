// The demo user's session and the service's own routes. The demo server's `/config.json` gives
// the mode, the samples and a short-lived session token (15 minutes, minted for this page only:
// what an app's backend would hand out after its login); the token is fetched again when less
// than two minutes are left. `service(path)` calls the edge service's routes beyond Kling's
// (`/me`, `/account`, `/chains`…) with that token and turns a refusal into an Error carrying the
// service's code, field and status.
import { state } from "./state.js";

/** The demo server's /config.json: the mode, the samples and a short-lived session (15 min). */
export function fetchConfig() {
  return fetch("config.json", { cache: "no-store" })
    .then((r) => (r.ok ? r.json() : { mode: "kling", samples: [] }))
    .catch(() => ({ mode: "kling", samples: [] }));
}

/** The session with the time to fetch a new one: two minutes before it expires. */
export const withRenewal = (session) => ({
  ...session,
  renewAt: Date.now() + Math.max(0, (session.expiresIn ?? 0) - 120) * 1000,
});

/**
 * The demo user's session token, fetched again from the demo server when it has less than two
 * minutes left (the server hands out 15-minute tokens, to this page only).
 */
export async function sessionToken() {
  const session = state.session;
  if (session && Date.now() < session.renewAt) return session.token;
  state.renewing ??= fetchConfig()
    .then((config) => {
      if (config.session) state.session = withRenewal(config.session);
    })
    .finally(() => {
      state.renewing = null;
    });
  await state.renewing;
  return state.session.token;
}

/** The service's routes with the demo user's session. */
export async function service(path, init = {}) {
  const r = await fetch(`${location.origin}${path}`, {
    ...init,
    cache: "no-store",
    headers: { authorization: `Bearer ${await sessionToken()}`, "content-type": "application/json", ...(init.headers ?? {}) },
  });
  const body = await r.json().catch(() => null);
  if (!r.ok) throw Object.assign(new Error(body?.error?.message ?? `HTTP ${r.status}`), body?.error ?? {}, { status: r.status });
  return body;
}
