// GET /account: what remains of the Kling account's resource packs, for a page to show. Off
// unless SHOW_ACCOUNT_UNITS is "true": the account's balance is the operator's to disclose (the
// answer holds unit counts and pack names only). Kling asks for at most one costs query a
// second, so the answer is kept for a minute per isolate.
import { json } from "./http.js";
import { accountCosts } from "./kling.js";

const KEEP_MS = 60_000;
let kept; // { at, body }

/** The packs' units: `{ remaining, total, packs: [{ name, type, status, remaining, total, until }] }`. */
export async function accountUnits(ctx) {
  const now = Date.now();
  if (!kept || now - kept.at > KEEP_MS) {
    const costs = await accountCosts(ctx.env, now);
    const packs = (costs.resource_pack_subscribe_infos ?? []).map((p) => ({
      name: p.resource_pack_name,
      type: p.resource_pack_type,
      status: p.status,
      remaining: p.remaining_quantity,
      total: p.total_quantity,
      until: p.invalid_time,
    }));
    const online = packs.filter((p) => p.status === "online");
    const sum = (key) => online.reduce((n, p) => n + (Number(p[key]) || 0), 0);
    kept = { at: now, body: { remaining: sum("remaining"), total: sum("total"), packs } };
  }
  return json(200, kept.body, ctx.cors);
}
