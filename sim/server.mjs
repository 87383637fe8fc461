#!/usr/bin/env node
// CLI: node sim/server.mjs --port 8787 [--host 127.0.0.1] [--submitted-ms 300] [--processing-ms 1500]
//   [--extend-seconds 5] [--clock-offset-ms 0] [--webhook-secret whsec_...] [--max-concurrent N]
//   [--rate-limit N/windowMs] [--access-key ..] [--secret-key ..] [--api-key ..]
//   [--allow-retired-models] [--mismatch-next-clips N]
// Runs until SIGINT/SIGTERM, then closes every connection and exits.
import { parseArgs } from "node:util";
import { startSimulator } from "./index.mjs";
import { parseRateLimit } from "./lib/config.mjs";

const FLAGS = {
  port: { type: "string", default: "8787" },
  host: { type: "string" },
  "submitted-ms": { type: "string" },
  "processing-ms": { type: "string" },
  "extend-seconds": { type: "string" },
  "clock-offset-ms": { type: "string" },
  "webhook-secret": { type: "string" },
  "max-concurrent": { type: "string" },
  "rate-limit": { type: "string" },
  "access-key": { type: "string" },
  "secret-key": { type: "string" },
  "api-key": { type: "string" },
  "allow-retired-models": { type: "boolean" },
  "mismatch-next-clips": { type: "string" },
  help: { type: "boolean", short: "h" },
};

function toOptions(values) {
  const number = (name) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value)) throw new TypeError(`--${name} must be a number, got "${values[name]}"`);
    return value;
  };
  const options = { port: number("port") };
  if (values.host) options.host = values.host;
  const timing = {};
  if (values["submitted-ms"] !== undefined) timing.submittedMs = number("submitted-ms");
  if (values["processing-ms"] !== undefined) timing.processingMs = number("processing-ms");
  if (Object.keys(timing).length > 0) options.timing = timing;
  if (values["extend-seconds"] !== undefined) options.extendSeconds = number("extend-seconds");
  if (values["clock-offset-ms"] !== undefined) options.clockOffsetMs = number("clock-offset-ms");
  if (values["max-concurrent"] !== undefined) options.maxConcurrentTasks = number("max-concurrent");
  if (values["rate-limit"] !== undefined) options.rateLimit = parseRateLimit(values["rate-limit"]);
  if (values["webhook-secret"] !== undefined) options.webhookSecret = values["webhook-secret"];
  if (values["access-key"] !== undefined) options.accessKey = values["access-key"];
  if (values["secret-key"] !== undefined) options.secretKey = values["secret-key"];
  if (values["api-key"] !== undefined) options.apiKey = values["api-key"];
  if (values["allow-retired-models"]) options.allowRetiredModels = true;
  if (values["mismatch-next-clips"] !== undefined) options.mismatchNextClips = number("mismatch-next-clips");
  return options;
}

async function main() {
  const { values } = parseArgs({ options: FLAGS, strict: true });
  if (values.help) {
    console.log(
      "usage: node sim/server.mjs --port N [--host H] [--submitted-ms MS] [--processing-ms MS]\n" +
        "  [--extend-seconds S] [--clock-offset-ms MS] [--webhook-secret whsec_...] [--max-concurrent N]\n" +
        "  [--rate-limit N/windowMs] [--access-key K] [--secret-key K] [--api-key K]\n" +
        "  [--allow-retired-models] [--mismatch-next-clips N]   (see sim/README.md)",
    );
    return;
  }
  const sim = await startSimulator(toOptions(values));
  console.log(`kling simulator listening on ${sim.url}`);
  const stop = async () => {
    await sim.close();
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((err) => {
  console.error(`kling simulator: ${err.message}`);
  process.exitCode = 1;
});
