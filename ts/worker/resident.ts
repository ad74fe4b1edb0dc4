// Data kept in the training worker between calls. `trainer.putData(x)` sends arrays once
// and returns a ResidentData handle; fit, evaluate and predict then take the handle where
// they take data, and only its number crosses the thread boundary. The worker holds the
// tensors until `trainer.freeData(handle)` or `terminate()`.
//
// The caller's side (ResidentData) knows the shapes and dtypes, so fit's checks of shapes
// and sample counts still run before anything is sent; the worker's side (ResidentStore)
// owns the tensors and counts the bytes it receives, so tests can see what crossed.

import type { DataType, Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../ops/util.js';
import { unpackTensor, type WireTensor } from './wire.js';

/** Data on the wire: arrays sent with the call, or the number of data already in the worker. */
export type WireData = WireTensor[] | { handle: number };

/**
 * Arrays held in a training worker, made by `trainer.putData(...)`. Pass it to that
 * trainer's fit, evaluate or predict in place of x, y or validation data: nothing is copied
 * again. Free it with `trainer.freeData(handle)` (terminate frees everything).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const trainer = await fe.worker.create(m);
 * const xs = await trainer.putData({ data: new Float32Array(8), shape: [4, 2] });
 * const ys = await trainer.putData({ data: new Float32Array(4), shape: [4, 1] });
 * await trainer.fit(xs, ys, { epochs: 1 }); // no data crosses: xs and ys are already there
 * trainer.terminate(); // frees them too
 * ```
 */
export class ResidentData {
  private freed = false;

  /** Use `trainer.putData()`. */
  constructor(
    /** The worker's number for this data. */
    readonly handle: number,
    /** Shape and dtype of each array, in the order given to putData. */
    readonly entries: readonly {
      /** The array's shape. */
      shape: readonly number[];
      /** The array's dtype. */
      dtype: DataType;
    }[],
    /** Bytes the arrays take in the worker. */
    readonly bytes: number,
    /** The trainer that holds it (only that trainer accepts it). */
    readonly owner: object,
  ) {}

  /** True once freed (by `trainer.freeData`, or when its trainer terminated). */
  get isFreed(): boolean {
    return this.freed;
  }

  /** @internal Marks the handle freed (the trainer does this). */
  markFreed(): void {
    this.freed = true;
  }

  /**
   * Throws unless `owner` holds this data and it was not freed.
   *
   * @internal
   */
  check(who: string, owner: object, isTerminated: boolean): void {
    if (this.owner !== owner)
      throw new Error(`${who}: resident data ${this.handle} belongs to another trainer; putData it on this one`);
    if (this.freed || isTerminated)
      throw new Error(
        `${who}: resident data ${this.handle} was freed${isTerminated ? ' (the trainer terminated)' : ''}`,
      );
  }

  /**
   * A one-line description, for error messages.
   *
   * @example
   * ```ts
   * const trainer = await fe.worker.create(fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] }));
   * const xs = await trainer.putData(fe.ones([3, 2]));
   * xs.toString(); // 'ResidentData(1: float32[3, 2])'
   * trainer.terminate();
   * ```
   */
  toString(): string {
    return `ResidentData(${this.handle}: ${this.entries.map((e) => `${e.dtype}${fmtShape(e.shape)}`).join(', ')})`;
  }
}

/** What the worker has received and holds, for tests and benches. */
export interface ResidentStats {
  /** Bytes of array data the worker received since it started (model weights excluded). */
  bytesReceived: number;
  /** Handles held now. */
  handles: number;
  /** Bytes those handles hold. */
  residentBytes: number;
}

/** The worker's side: the resident tensors by handle, and a count of the data bytes received. */
export class ResidentStore {
  private readonly held = new Map<number, { tensors: Tensor[]; bytes: number }>();
  private nextHandle = 1;
  private received = 0;

  /** Tensors in this worker's memory from arrays that came with a call (the caller disposes them). */
  unpack(ws: WireTensor[]): Tensor[] {
    for (const w of ws) this.received += w.data.byteLength;
    return ws.map(unpackTensor);
  }

  /** Keeps the arrays as tensors; returns their handle. */
  put(ws: WireTensor[]): number {
    const tensors = this.unpack(ws);
    const handle = this.nextHandle++;
    this.held.set(handle, { tensors, bytes: ws.reduce((s, w) => s + w.data.byteLength, 0) });
    return handle;
  }

  /** The tensors of wire data: the resident ones (not to be disposed) or fresh ones pushed on `owned`. */
  resolve(who: string, data: WireData, owned: Tensor[]): Tensor[] {
    if (Array.isArray(data)) {
      const ts = this.unpack(data);
      owned.push(...ts);
      return ts;
    }
    const entry = this.held.get(data.handle);
    if (entry === undefined)
      throw new Error(`${who}: unknown resident data handle ${data.handle} (freed, or never put on this trainer)`);
    return entry.tensors;
  }

  /** Disposes a handle's tensors; unknown handles are an error. */
  free(who: string, handle: number): void {
    const entry = this.held.get(handle);
    if (entry === undefined)
      throw new Error(`${who}: unknown resident data handle ${handle} (already freed, or never put on this trainer)`);
    this.held.delete(handle);
    for (const t of entry.tensors) t.dispose();
  }

  stats(): ResidentStats {
    let residentBytes = 0;
    for (const e of this.held.values()) residentBytes += e.bytes;
    return { bytesReceived: this.received, handles: this.held.size, residentBytes };
  }
}
