// Training events between the worker and the caller's thread. The worker queues batch
// events and sends them in bursts without waiting (training never waits on the caller
// per batch); epoch and training events go with everything queued before them and are
// awaited, so a hook that stops training or returns a promise acts before the next
// epoch. The caller runs the hooks in the order the events were made, one delivery
// after the other, even when hooks are async.

import type { Remote } from 'comlink';
import type { CustomCallbackArgs } from '../training/callbacks.js';
import type { EventSink, TrainEvent } from './protocol.js';

/** Worker side: the queue of one fit's events. */
export class EventQueue {
  private pending: TrainEvent[] = [];
  private lastSent = -Infinity;
  private lastDelivery: Promise<void> = Promise.resolve();
  /** Sends a queue that waited a whole interval, so slow batches are not reported late. */
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private failed = false;
  private failure: unknown;

  constructor(
    private readonly sink: Remote<EventSink>,
    private readonly intervalMs: number,
  ) {}

  /** A caller-side hook threw: fit stops with its error at the next event. */
  private throwIfFailed(): void {
    if (this.failed) throw this.failure;
  }

  private send(): Promise<void> {
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    const events = this.pending;
    this.pending = [];
    this.lastSent = performance.now();
    const delivery = this.sink.deliver(events);
    this.lastDelivery = delivery.catch((e) => {
      if (!this.failed) {
        this.failed = true;
        this.failure = e;
      }
    });
    return delivery;
  }

  /** Queues a batch event; sends the queue if the last burst is older than the interval. */
  post(event: TrainEvent): void {
    this.throwIfFailed();
    this.pending.push(event);
    const waited = performance.now() - this.lastSent;
    if (waited >= this.intervalMs) void this.send();
    else if (this.flushTimer === undefined) {
      // Fires only if training yields to the event loop (fit does every ~100 ms).
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        if (this.pending.length > 0) void this.send();
      }, this.intervalMs - waited);
    }
  }

  /** Sends the queue with this event and waits until the caller's hooks have run. */
  async sendAndWait(event: TrainEvent): Promise<void> {
    this.throwIfFailed();
    this.pending.push(event);
    await this.send();
  }

  /** Sends what is queued and waits until every event has been handled. */
  async drain(): Promise<void> {
    if (this.pending.length > 0) void this.send();
    await this.lastDelivery;
    this.throwIfFailed();
  }
}

/**
 * Caller side: runs each event's hook on the callback object it belongs to, in order.
 * Keeps the first error a hook throws, so fit can reject with it as it was thrown.
 */
export class HookDispatcher {
  private chain: Promise<void> = Promise.resolve();
  /** The first error a hook threw (its original object). */
  error: unknown = undefined;
  private failed = false;
  /** True while a hook runs (or its promise is pending): fit is waiting for it. */
  inHook = false;

  constructor(private readonly sets: readonly CustomCallbackArgs[]) {}

  deliver(events: TrainEvent[]): Promise<void> {
    this.chain = this.chain.then(() => this.run(events));
    return this.chain;
  }

  private async run(events: TrainEvent[]): Promise<void> {
    if (this.failed) throw this.error;
    for (const e of events) {
      const hooks = this.sets[e.set] as Record<string, ((...a: unknown[]) => unknown) | undefined>;
      // A callback object (a BaseCallback subclass) reads fit's params as `this.params`.
      if (e.params !== undefined && typeof hooks?.setParams === 'function') hooks.setParams(e.params);
      const hook = hooks?.[e.hook];
      if (typeof hook !== 'function') continue;
      this.inHook = true;
      try {
        const args = e.index === undefined ? [e.logs] : [e.index, e.logs];
        const r = hook.apply(hooks, args);
        if (r !== null && typeof r === 'object' && typeof (r as Promise<void>).then === 'function') await r;
      } catch (err) {
        this.failed = true;
        this.error = err;
        throw err;
      } finally {
        this.inHook = false;
      }
    }
  }
}
