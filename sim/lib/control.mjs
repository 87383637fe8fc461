// The /__sim/* control endpoints: the HTTP face of the Simulator object, for tests and
// demos in other processes. Never authenticated, never logged as API requests.
import { readBody, sendJson } from "./http.mjs";

const ROUTES = {
  "GET /__sim/samples": (sim) => sim.samples,
  "GET /__sim/faults": (sim) => sim.faults(),
  "POST /__sim/faults": (sim, body) => ({ added: sim.injectFault(body) }),
  "DELETE /__sim/faults": (sim) => {
    sim.clearFaults();
    return { ok: true };
  },
  "POST /__sim/reset": (sim) => {
    sim.reset();
    return { ok: true };
  },
  "GET /__sim/config": (sim) => sim.config(),
  "POST /__sim/config": (sim, body) => {
    sim.configure(body);
    return sim.config();
  },
  "GET /__sim/requests": (sim) => sim.requests(),
  "GET /__sim/tasks": (sim) => sim.tasks(),
  "GET /__sim/callbacks": (sim) => sim.callbacks(),
  "GET /__sim/resource-packs": (sim) => sim.resourcePacks(),
  "POST /__sim/resource-packs": (sim, body) => {
    sim.configureResourcePacks(body);
    return sim.resourcePacks();
  },
};

export async function handleControl(sim, req, res, url) {
  const path = url.pathname.replace(/\/$/, "");
  const handler = ROUTES[`${req.method} ${path}`];
  if (!handler) {
    const known = Object.keys(ROUTES).some((key) => key.endsWith(` ${path}`));
    return sendJson(res, known ? 405 : 404, { error: `${known ? "method not allowed" : "not found"}: ${req.method} ${path}` });
  }
  let body;
  if (req.method === "POST") {
    const raw = await readBody(req);
    try {
      body = raw && raw.length > 0 ? JSON.parse(raw.toString("utf8")) : {};
    } catch {
      return sendJson(res, 400, { error: "body must be JSON" });
    }
  }
  try {
    sendJson(res, 200, handler(sim, body));
  } catch (err) {
    // Validation failures of fault rules and config updates are the caller's mistake.
    if (err instanceof TypeError) return sendJson(res, 400, { error: err.message });
    throw err;
  }
}
