// Request rate limit (code 1302): a sliding window over admitted API requests. Refused requests
// do not count, so a client that backs off for one window gets through again.
import { ApiError } from "./http.mjs";

export class RateLimiter {
  #admitted = []; // monotonic timestamps (ms) of admitted requests, oldest first

  constructor(config) {
    this.config = config;
  }

  admit() {
    const limit = this.config.rateLimit;
    if (!limit) return;
    const now = performance.now();
    while (this.#admitted.length > 0 && this.#admitted[0] <= now - limit.windowMs) this.#admitted.shift();
    if (this.#admitted.length >= limit.max) {
      throw new ApiError(1302, `Rate limit exceeded: at most ${limit.max} requests per ${limit.windowMs} ms`);
    }
    this.#admitted.push(now);
  }

  reset() {
    this.#admitted = [];
  }
}
