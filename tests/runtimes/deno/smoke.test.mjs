// Deno: `import ... from "kling-edge"` resolved from ./node_modules (package.json +
// "nodeModulesDir": "manual"; nothing is downloaded), through the "deno" condition.
import * as kling from "kling-edge";
import { smoke } from "./smoke.mjs";

Deno.test("kling-edge smoke in Deno", async () => {
  const result = await smoke(kling, { simUrl: Deno.env.get("SIM_URL") });
  const entry = new URL(import.meta.resolve("kling-edge")).pathname.split("/node_modules/")[1];
  const record = { version: `Deno ${Deno.version.deno}`, notes: [`entry: ${entry}`], ...result };
  Deno.writeTextFileSync(Deno.env.get("RESULT_FILE"), JSON.stringify(record, null, 2));
  for (const [name, c] of Object.entries(result.checks)) {
    if (!c.ok) throw new Error(`${name}: ${c.error}`);
  }
});
