// Task-status callbacks: the bare task object POSTed to callback_url on every change,
// signed the Standard Webhooks way when a webhook secret is configured. Delivery is
// fire-and-forget (one attempt, short timeout); every attempt is recorded for tests.
import { createHmac, randomUUID } from "node:crypto";

/** base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), as in Kling's API documentation. */
export function signWebhook(key, id, timestamp, body) {
  return createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
}

export class CallbackDispatcher {
  #deliveries = [];
  #inFlight = new Set(); // AbortControllers, so close() can cancel slow receivers

  /**
   * @param {object} deps
   * @param {object} deps.config      live config (webhookKey, callbackTimeoutMs)
   * @param {() => number} deps.now   simulator clock, ms (webhook-timestamp uses it)
   */
  constructor({ config, now }) {
    this.config = config;
    this.now = now;
  }

  /** Sends `payload` (the task view) to `url`; never throws. */
  notify(url, payload) {
    if (this.config.callbacks === false) return; // switched off: the receiver must poll
    const body = JSON.stringify(payload);
    const headers = { "Content-Type": "application/json", ...this.#signatureHeaders(body) };
    const delivery = {
      url,
      task_id: payload.task_id,
      task_status: payload.task_status,
      headers,
      body: payload,
      status: null, // HTTP status of the receiver's answer, once known
      error: null,
      done: false,
      at: Date.now(), // when it was sent, ms (real time, like the request log's `at`)
      done_at: null, // when the receiver answered (or the attempt failed)
    };
    this.#deliveries.push(delivery);
    this.#deliver(delivery, body);
  }

  list() {
    return this.#deliveries.map((delivery) => structuredClone(delivery));
  }

  reset() {
    this.#abortAll();
    this.#deliveries = [];
  }

  close() {
    this.#abortAll();
  }

  #signatureHeaders(body) {
    const key = this.config.webhookKey;
    if (!key) return {};
    const id = `msg_${randomUUID()}`;
    const timestamp = String(Math.floor(this.now() / 1000));
    return {
      "webhook-id": id,
      "webhook-timestamp": timestamp,
      "webhook-signature": `v1,${signWebhook(key, id, timestamp, body)}`,
    };
  }

  async #deliver(delivery, body) {
    const controller = new AbortController();
    this.#inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(new Error("callback timed out")), this.config.callbackTimeoutMs);
    try {
      const response = await fetch(delivery.url, {
        method: "POST",
        headers: delivery.headers,
        body,
        signal: controller.signal,
      });
      delivery.status = response.status;
      await response.arrayBuffer(); // drain, so the connection is released
      if (!response.ok) delivery.error = `HTTP ${response.status}`;
    } catch (err) {
      delivery.error = String(err?.cause?.message ?? err?.message ?? err);
    } finally {
      clearTimeout(timer);
      this.#inFlight.delete(controller);
      delivery.done_at = Date.now();
      delivery.done = true;
    }
  }

  #abortAll() {
    for (const controller of this.#inFlight) controller.abort(new Error("simulator closed"));
    this.#inFlight.clear();
  }
}
