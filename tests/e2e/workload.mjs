// The call mix of the memory test and of the benchmark's memory row: every kind of client call
// (get, list, wait, create, aborted get and wait, refused create, an iterator broken out of,
// signing, callback parsing) through an injected fetch, so runs measure the client, not a network.

const TASK = {
  task_id: "7",
  task_status: "succeed",
  task_info: { external_task_id: "e" },
  task_result: { videos: [{ id: "v", url: "u", duration: "10" }] },
};
const ONE = JSON.stringify({ code: 0, message: "SUCCEED", request_id: "r", data: TASK });
const PAGE = JSON.stringify({ code: 0, message: "SUCCEED", request_id: "r", data: [TASK, TASK] });
const CALLBACK = JSON.stringify(TASK);

/** `kling`: the package's exports. Returns `{ round(), requests() }`. */
export function workload({ KlingClient, signToken, parseCallback }) {
  let requests = 0;
  const fetch = async (url) => {
    requests++;
    return new Response(url.includes("pageNum") ? PAGE : ONE, { headers: { "content-type": "application/json" } });
  };
  const client = new KlingClient({ accessKey: "ak", secretKey: "sk", baseUrl: "http://kling.test", fetch, maxRetries: 0 });

  /** One round of every kind of call; resolves how many client calls it made. */
  async function round() {
    const calls = [
      client.extensions.get("7"),
      client.extensions.list({ pageSize: 5 }),
      client.extensions.wait("7", { pollIntervalMs: 1 }),
      client.extensions.create({ video_id: "v", prompt: "p" }),
      client.extensions.get("7", { signal: AbortSignal.abort() }).catch(() => {}),
      client.extensions.wait("7", { signal: AbortSignal.abort() }).catch(() => {}),
      client.extensions.create({ video_id: "v", cfg_scale: 9 }).catch(() => {}),
      (async () => {
        for await (const task of client.extensions.list({ pageSize: 2 })) if (task) break;
      })(),
    ];
    await Promise.all(calls);
    signToken("ak", "sk");
    parseCallback(CALLBACK);
    return calls.length + 2;
  }
  return { round, requests: () => requests };
}
