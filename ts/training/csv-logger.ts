// Keras's CSVLogger (Node only): one CSV row per epoch, 'epoch' then the log keys in
// sorted order, written as each epoch ends so a long run can be followed or resumed.

import { nodeBuiltin } from '../data/source.js';
import { BaseCallback, type Logs } from './callbacks.js';

type Fs = typeof import('node:fs');

/** Options of `callbacks.csvLogger`. */
export interface CSVLoggerArgs {
  /** Field separator. Default ','. */
  separator?: string;
  /** Append to an existing file (no second header when it has content). Default false. */
  append?: boolean;
}

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
