// The caller's side of a streamed fit (`trainer.fitDataset`, `trainer.evaluateDataset`):
// the datasets stay in this thread, and batches go to the worker as it trains. When the
// worker starts a pass (`open`), this side pulls batches from a fresh iterator, packs each
// one for the wire (wire.ts: a tensor is copied out once, a typed array moves as it is),
// disposes the element's tensors, checks the arrays against the model (preflight.ts, so a
// bad batch is refused here with its index and shapes) and posts them with their buffers
// transferred. At most `window` batches of a pass are in flight (sent, not yet taken by
// training): the worker returns a credit (`consumed`) for each batch it takes, so memory on
// both sides is bounded by the window whatever the dataset's size, and the next batches
// are already there when training wants them if this thread keeps up.

import type { Dataset } from '../data/dataset.js';
import type { DatasetIterator } from '../data/dataset-iterator.js';
import { tensorsIn } from '../tensor/scope.js';
import { fmtShape } from '../ops/util.js';
import { preflightFit } from './preflight.js';
import type { ModelInfo, StreamReply, StreamRequest, StreamSource } from './protocol.js';
import { TransferList, dataList, packTensors, type DataInput, type WireTensor } from './wire.js';

/** Where a pass's batches come from, and how many of them training can use. */
export interface StreamSpec {
  dataset: Dataset<unknown>;
  /** Batches training reads at most (batchesPerEpoch × epochs, validationBatches, ...): none are pulled beyond. */
  limit: number;
  /** Names batch k of the n-th pass of this source (0-based) in errors: 'batch 3 of epoch 2'. */
  describe: (pass: number, k: number) => string;
}

/** What the caller's side of the last stream did (for tests and benches). */
export interface CallerStreamStats {
  /** Batches pulled from the datasets' iterators. */
  pulled: number;
  /** Batches posted to the worker. */
  posted: number;
  /** Most batches of one pass in flight at once (posted, not yet taken by training). */
  maxInFlight: number;
  /** Most batches pulled and not yet disposed at once. */
  maxPulling: number;
}

interface Pass {
  id: number;
  spec: StreamSpec;
  /** The n-th pass of its source. */
  index: number;
  iterator: DatasetIterator<unknown> | null;
  pulled: number;
  inFlight: number;
  pumping: boolean;
  finished: boolean;
}

function split(element: unknown): [unknown, unknown] | null {
  if (Array.isArray(element) && element.length === 2) return [element[0], element[1]];
  if (element !== null && typeof element === 'object' && 'xs' in element && 'ys' in element) {
    const e = element as { xs: unknown; ys: unknown };
    return [e.xs, e.ys];
  }
  return null;
}

const shapes = (ws: WireTensor[]): string =>
  ws.length === 1 ? fmtShape(ws[0].shape) : `[${ws.map((w) => fmtShape(w.shape)).join(', ')}]`;

const unprefixed = (e: unknown): string => String((e as Error)?.message ?? e).replace(/^ferrite: /, '');

/** Serves one streamed call's port: passes opened by the worker, filled from this thread's datasets. */
export class BatchStreamer {
  /** The first failure of a pass (a bad batch, an iterator that threw), as this side made it. */
  error: Error | undefined;
  readonly stats: CallerStreamStats = { pulled: 0, posted: 0, maxInFlight: 0, maxPulling: 0 };
  private readonly passes = new Map<number, Pass>();
  private readonly opened = new Map<StreamSource, number>();
  private readonly pumps = new Set<Promise<void>>();
  private pulling = 0;
  private closed = false;

  constructor(
    private readonly port: MessagePort,
    /** 'ferrite: background trainer', prefixed to errors with the operation. */
    private readonly who: string,
    /** 'fitDataset' or 'evaluateDataset'. */
    private readonly op: string,
    private readonly model: ModelInfo,
    private readonly sources: Partial<Record<StreamSource, StreamSpec>>,
    private readonly window: number,
  ) {
    port.addEventListener('message', (e: MessageEvent) => this.receive(e.data as StreamRequest));
    port.start();
  }

  /** Stops serving: no more pulls or posts; resolves once the pulls under way are done and their tensors disposed. */
  async close(): Promise<void> {
    this.closed = true;
    this.port.close();
    while (this.pumps.size > 0) await Promise.all(this.pumps);
  }

  private receive(m: StreamRequest): void {
    if (this.closed) return;
    if (m.type === 'open') {
      const spec = this.sources[m.source];
      if (spec === undefined) return; // the worker asks only for sources it was given
      const index = this.opened.get(m.source) ?? 0;
      this.opened.set(m.source, index + 1);
      const pass: Pass = {
        id: m.stream,
        spec,
        index,
        iterator: null,
        pulled: 0,
        inFlight: 0,
        pumping: false,
        finished: false,
      };
      this.passes.set(m.stream, pass);
      this.pump(pass);
    } else if (m.type === 'consumed') {
      const pass = this.passes.get(m.stream);
      if (pass === undefined) return;
      pass.inFlight--;
      this.pump(pass);
    } else if (m.type === 'close') {
      const pass = this.passes.get(m.stream);
      if (pass !== undefined) pass.finished = true;
      this.passes.delete(m.stream);
    }
  }

  private post(m: StreamReply, transfers: ArrayBuffer[] = []): void {
    if (!this.closed) this.port.postMessage(m, transfers);
  }

  private pump(pass: Pass): void {
    if (pass.pumping || pass.finished || this.closed) return;
    pass.pumping = true;
    const run = this.fill(pass).finally(() => {
      pass.pumping = false;
      this.pumps.delete(run);
    });
    this.pumps.add(run);
  }

  /** Sends batches until the window is full, the pass ends, or it fails. */
  private async fill(pass: Pass): Promise<void> {
    const live = () => !pass.finished && !this.closed;
    while (live() && pass.inFlight < this.window) {
      const where = pass.spec.describe(pass.index, pass.pulled);
      if (pass.pulled >= pass.spec.limit) {
        pass.finished = true;
        this.post({ type: 'end', stream: pass.id });
        return;
      }
      let element: unknown;
      this.pulling++;
      this.stats.maxPulling = Math.max(this.stats.maxPulling, this.pulling);
      try {
        pass.iterator ??= await pass.spec.dataset.iterator();
        const s = await pass.iterator.next();
        if (s.done) {
          this.pulling--;
          pass.finished = true;
          this.post({ type: 'end', stream: pass.id });
          return;
        }
        element = s.value;
        pass.pulled++;
        this.stats.pulled++;
      } catch (e) {
        this.pulling--;
        return this.fail(pass, `the dataset's iterator threw at ${where}: ${unprefixed(e)}`, e);
      }
      let batch: { xs: WireTensor[]; ys: WireTensor[] } | null = null;
      const transfers = new TransferList();
      let failure: unknown;
      try {
        if (live()) batch = this.pack(where, element, transfers);
      } catch (e) {
        failure = e;
      } finally {
        // This thread's copy is done with: the bytes travel in `batch`.
        for (const t of tensorsIn(element)) if (!t.isDisposed) t.dispose();
        this.pulling--;
      }
      if (failure !== undefined) {
        const why = unprefixed(failure);
        return this.fail(pass, why.startsWith(where) ? why : `${where}: ${why}`, failure);
      }
      if (batch === null || !live()) return;
      pass.inFlight++;
      this.stats.posted++;
      this.stats.maxInFlight = Math.max(this.stats.maxInFlight, pass.inFlight);
      this.post({ type: 'batch', stream: pass.id, ...batch }, transfers.list);
    }
  }

  /** A dataset element as arrays for the wire, checked against the model (shapes, counts, values). */
  private pack(where: string, element: unknown, transfers: TransferList): { xs: WireTensor[]; ys: WireTensor[] } {
    const pair = split(element);
    if (pair === null) {
      const got =
        element === null || typeof element !== 'object'
          ? String(element)
          : Array.isArray(element)
            ? `an array of ${element.length}`
            : `{${Object.keys(element).join(', ')}}`;
      throw new Error(
        `${where}: the dataset's elements must be {xs, ys} or [xs, ys] (tensors, {data, shape} arrays, lists or objects of them by input / output name), got ${got}`,
      );
    }
    const info = this.model;
    const x = dataList(info.name, this.op, 'x', info.inputNames, pair[0] as DataInput);
    const y = dataList(info.name, this.op, 'y', info.outputs?.map((o) => o.name) ?? null, pair[1] as DataInput);
    const xs = packTensors('xs', x, transfers);
    const ys = packTensors('ys', y, transfers);
    try {
      preflightFit(info, xs, ys, undefined, {}, this.op);
    } catch (e) {
      throw new Error(`${where} (xs ${shapes(xs)}, ys ${shapes(ys)}): ${unprefixed(e)}`);
    }
    return { xs, ys };
  }

  private fail(pass: Pass, message: string, cause: unknown): void {
    pass.finished = true;
    const error = new Error(`${this.who}: ${this.op}: ${message}`, { cause });
    this.error ??= error;
    this.post({ type: 'error', stream: pass.id, message: error.message });
  }
}
