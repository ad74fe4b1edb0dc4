// Keras's CSVLogger (Node only): one CSV row per epoch, 'epoch' then the log keys in
// sorted order, written as each epoch ends so a long run can be followed or resumed.

import { nodeBuiltin } from '../data/source.js';
import { BaseCallback, type Logs } from './callbacks.js';

type Fs = typeof import('node:fs');

/**
 * Options of `callbacks.csvLogger`.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2]]);
 * await m.fit(x, x, { epochs: 2, verbose: 0, callbacks: [fe.callbacks.csvLogger('runs.tsv', { separator: '\t', append: true })] });
 * ```
 */
export interface CSVLoggerArgs {
  /** Field separator. Default ','. */
  separator?: string;
  /** Append to an existing file (no second header when it has content). Default false. */
  append?: boolean;
}

/**
 * Writes each epoch's logs as a row of a CSV file (Node; Keras's CSVLogger), made by
 * `callbacks.csvLogger(filename, args)`.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * await m.fit(x, x, { epochs: 2, verbose: 0, callbacks: [fe.callbacks.csvLogger('log.csv')] });
 * // log.csv: 'epoch,loss' then one row per epoch
 * ```
 */
export class CSVLogger extends BaseCallback {
  /** {@inheritDoc CSVLoggerArgs.separator} */
  readonly separator: string;
  /** {@inheritDoc CSVLoggerArgs.append} */
  readonly append: boolean;
  private keys: string[] | null = null;
  private readonly fs: Fs;

  constructor(
    /** The CSV file written (one row per epoch). */
    readonly filename: string,
    args: CSVLoggerArgs = {},
  ) {
    super();
    const fs = nodeBuiltin<Fs>('node:fs');
    if (!fs) throw new Error(`ferrite: csvLogger: writing '${filename}' needs Node.js (no file system in a browser)`);
    if (typeof filename !== 'string' || filename.length === 0)
      throw new Error(`ferrite: csvLogger: filename must be a non-empty string`);
    this.fs = fs;
    this.separator = args.separator ?? ',';
    this.append = args.append ?? false;
  }

  override onTrainBegin(): void {
    this.keys = null;
    if (!this.append) this.fs.writeFileSync(this.filename, '');
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    const sep = this.separator;
    if (this.keys === null) {
      this.keys = Object.keys(logs).sort();
      const empty = !this.fs.existsSync(this.filename) || this.fs.statSync(this.filename).size === 0;
      if (empty) this.fs.appendFileSync(this.filename, ['epoch', ...this.keys].join(sep) + '\n');
    }
    const row = [String(epoch), ...this.keys.map((k) => (k in logs ? String(logs[k]) : 'NA'))];
    this.fs.appendFileSync(this.filename, row.join(sep) + '\n');
  }
}

/** `callbacks.csvLogger('training.csv')` (Node only). */
export function csvLogger(filename: string, args: CSVLoggerArgs = {}): CSVLogger {
  return new CSVLogger(filename, args);
}
