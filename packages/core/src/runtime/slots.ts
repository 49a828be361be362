/**
 * A counting semaphore: executors that send work elsewhere (HTTP, Lambda) use
 * it to bound requests in flight.
 *
 * @example
 * ```ts
 * const slots = new Slots(4);
 * await slots.acquire();
 * try { await send(request); } finally { slots.release(); }
 * ```
 */
export class Slots {
  #free: number;
  readonly #waiters: (() => void)[] = [];
  constructor(readonly capacity: number) {
    this.#free = capacity;
  }
  /** Slots currently taken. */
  get inUse(): number {
    return this.capacity - this.#free;
  }
  /** Waits for a free slot and takes it. */
  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((r) => this.#waiters.push(r));
  }
  /** Gives a slot back (to the longest waiter, if any). */
  release(): void {
    const w = this.#waiters.shift();
    if (w) w();
    else this.#free++;
  }
}
