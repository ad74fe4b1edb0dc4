// The worker's side of a streamed fit (`trainer.fitDataset`): Datasets whose batches come
// from the caller's thread over a MessagePort. The worker's `model.fitDataset` runs on
// them as on any Dataset; each `iterator()` asks the caller to start a pass, and each
// batch training takes returns one credit, so the caller sends at most its window of
// batches ahead (see stream.ts). Batches wait here as plain arrays and become tensors
// only when training takes them: the worker's wasm memory holds the batch being trained,
// not the queue.

import type { Tensor } from '../tensor/tensor.js';
import type { TensorContainer } from '../tensor/scope.js';
import { datasetFromIteratorFn, type Dataset } from '../data/dataset.js';
import { DatasetIterator, type IteratorStep } from '../data/dataset-iterator.js';
import type { StreamReply, StreamRequest, StreamSource } from './protocol.js';
import type { WireTensor } from './wire.js';
import { isNode } from '../backend/wasm-files.js';

/** A pass's messages received and not yet taken, and training waiting for the next one. */
interface Pass {
  items: StreamReply[];
  wake: (() => void) | null;
}

/** Counters over every stream a worker reads (`trainer.streamStats()`). */
export interface StreamCounters {
  batchesReceived: number;
  maxQueued: number;
  waits: number;
}

const END: IteratorStep<never> = { value: null, done: true };

/**
 * Node: takes a message that has arrived on a port at once (worker_threads'
 * receiveMessageOnPort). Training runs in microtasks and leaves them only when it waits,
 * and a port delivers one message per event-loop turn, so without this every batch would
 * cost training a turn of the event loop even with the window full. Browsers have no
 * equivalent: there the batches come one turn each.
 */
const receiveNow: ((port: MessagePort) => { message: unknown } | undefined) | undefined = isNode
  ? ((process as unknown as { getBuiltinModule(id: string): typeof import('node:worker_threads') }).getBuiltinModule(
      'node:worker_threads',
    ).receiveMessageOnPort as never)
  : undefined;
const single = (ts: Tensor[]): Tensor | Tensor[] => (ts.length === 1 ? ts[0] : ts);

/** One streamed fit's (or evaluation's) port, and the passes open on it. */
export class StreamReader {
  private nextId = 1;
  private readonly passes = new Map<number, Pass>();
  /** The open pass of each source: a new `iterator()` abandons the previous one (fitDataset holds one per source). */
  private readonly current = new Map<StreamSource, number>();
  private closed = false;

  constructor(
    private readonly port: MessagePort,
    /** Makes tensors of a batch's arrays (and counts the bytes received). */
    private readonly unpack: (ws: WireTensor[]) => Tensor[],
    private readonly counters: StreamCounters,
  ) {
    port.addEventListener('message', (e: MessageEvent) => this.receive(e.data as StreamReply));
    port.start();
  }

  /** A Dataset of the caller's `source` dataset's batches, {xs, ys}; `size` is the caller's `Dataset.size`. */
  dataset(source: StreamSource, size: number | null): Dataset<TensorContainer> {
    return datasetFromIteratorFn(async () => this.open(source), size);
  }

  /** Stops reading: later messages are dropped, and the caller's side learns it when the call returns. */
  close(): void {
    this.closed = true;
    const waiting = [...this.passes.values()];
    this.passes.clear();
    for (const p of waiting) p.wake?.(); // their next() ends the pass
    this.port.close();
  }

  private send(m: StreamRequest): void {
    if (!this.closed) this.port.postMessage(m);
  }

  private open(source: StreamSource): DatasetIterator<TensorContainer> {
    const previous = this.current.get(source);
    if (previous !== undefined) {
      this.passes.delete(previous);
      this.send({ type: 'close', stream: previous });
    }
    const id = this.nextId++;
    this.passes.set(id, { items: [], wake: null });
    this.current.set(source, id);
    this.send({ type: 'open', stream: id, source });
    return new DatasetIterator(() => this.take(id));
  }

  private receive(m: StreamReply): void {
    const pass = this.passes.get(m.stream);
    if (pass === undefined) return; // a pass abandoned (or the stream closed) while this was on its way
    pass.items.push(m);
    if (m.type === 'batch') {
      this.counters.batchesReceived++;
      const queued = pass.items.reduce((n, i) => n + (i.type === 'batch' ? 1 : 0), 0);
      if (queued > this.counters.maxQueued) this.counters.maxQueued = queued;
    }
    const wake = pass.wake;
    pass.wake = null;
    wake?.();
  }

  /** Queues the messages that have arrived but not been dispatched (Node); true if there were any. */
  private receiveArrived(): boolean {
    if (receiveNow === undefined || this.closed) return false;
    let any = false;
    for (let r = receiveNow(this.port); r !== undefined; r = receiveNow(this.port)) {
      this.receive(r.message as StreamReply);
      any = true;
    }
    return any;
  }

  private async take(id: number): Promise<IteratorStep<TensorContainer>> {
    let waited = false;
    for (;;) {
      const pass = this.passes.get(id);
      if (pass === undefined) return END;
      const m = pass.items.shift();
      if (m === undefined) {
        if (this.receiveArrived()) continue;
        if (!waited) this.counters.waits++;
        waited = true;
        await new Promise<void>((resolve) => (pass.wake = resolve));
        continue;
      }
      if (m.type === 'end') return END;
      if (m.type === 'error') throw new Error(m.message);
      this.send({ type: 'consumed', stream: id });
      const xs = this.unpack(m.xs);
      let ys: Tensor[];
      try {
        ys = this.unpack(m.ys);
      } catch (e) {
        for (const t of xs) t.dispose();
        throw e;
      }
      return { value: { xs: single(xs), ys: single(ys) }, done: false };
    }
  }
}
