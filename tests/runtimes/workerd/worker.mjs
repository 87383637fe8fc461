// Cloudflare Workers: a minimal worker importing "kling-edge" (wrangler resolves the "workerd"
// condition). GET /?sim=<simulator url> runs the smoke assertions and answers their JSON.
import * as kling from "kling-edge";
import { smoke } from "./smoke.mjs";

export default {
  async fetch(request) {
    const simUrl = new URL(request.url).searchParams.get("sim");
    if (!simUrl) return new Response("missing ?sim=", { status: 400 });
    // Tokens are signed here, inside the handler: Date.now() stands still at module load.
    return Response.json(await smoke(kling, { simUrl }));
  },
};
