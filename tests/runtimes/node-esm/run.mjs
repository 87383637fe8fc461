// Node, ESM consumer: `import ... from "kling-edge"` (resolved through the "node" condition).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as kling from "kling-edge";
import { smoke } from "./smoke.mjs";

const result = await smoke(kling, { simUrl: process.env.SIM_URL });
const entry = fileURLToPath(import.meta.resolve("kling-edge"));
const record = { version: `Node ${process.version}`, notes: [`entry: ${entry.split("/node_modules/")[1]}`], ...result };
writeFileSync(process.env.RESULT_FILE, JSON.stringify(record, null, 2));
for (const [name, c] of Object.entries(result.checks)) assert.ok(c.ok, `${name}: ${c.error}`);
