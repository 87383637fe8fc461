// Bun: `import ... from "kling-edge"` through the "bun" condition, run by `bun test`.
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import * as kling from "kling-edge";
import { smoke } from "./smoke.mjs";

test("kling-edge smoke in Bun", async () => {
  const result = await smoke(kling, { simUrl: process.env.SIM_URL });
  const entry = Bun.resolveSync("kling-edge", import.meta.dir).split("/node_modules/")[1];
  const record = { version: `Bun ${Bun.version}`, notes: [`entry: ${entry}`], ...result };
  writeFileSync(process.env.RESULT_FILE, JSON.stringify(record, null, 2));
  for (const [name, c] of Object.entries(result.checks)) {
    expect({ [name]: c.ok ? "ok" : c.error }).toEqual({ [name]: "ok" });
  }
}, 30000);
