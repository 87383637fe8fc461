// setTimeout with bookkeeping, so reset() and close() can cancel everything still pending
// and a closed simulator never keeps the process alive.
export class Timers {
  #pending = new Set();

  after(ms, fn) {
    const timer = setTimeout(() => {
      this.#pending.delete(timer);
      fn();
    }, ms);
    this.#pending.add(timer);
  }

  clear() {
    for (const timer of this.#pending) clearTimeout(timer);
    this.#pending.clear();
  }
}
