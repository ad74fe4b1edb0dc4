// tf.data's sources beyond arrays: `generator` (a fresh sync or async generator per
// pass, so data larger than memory streams through), `func` (a function called for
// each element), and `csv` (a CSV file by URL, or `file://` path in Node).

import type { TensorContainer } from '../tensor/scope.js';
import { Dataset, datasetFromIteratorFn } from './dataset.js';
import { DatasetIterator, iteratorFromFunction } from './dataset-iterator.js';
import { textLines } from './text-lines.js';

/** A synchronous or asynchronous iterator. @inline */
type AnyIterator<T> = Iterator<T> | AsyncIterator<T>;

/**
 * A dataset from a generator function (`function*` or `async function*`), or any function
 * returning an iterator: each pass calls it again, so the stream restarts, as
 * `tf.data.generator`.
 *
 * @example
 * ```ts
 * const ds = fe.data.generator(function* () {
 *   for (let i = 0; i < 3; i++) yield { xs: fe.tensor1d([i, i]), ys: fe.scalar(i % 2) };
 * });
 * (await ds.batch(3).toArray()).length; // 1 batch of 3
 * ```
 */
export function generator<T = TensorContainer>(make: () => AnyIterator<T> | Promise<AnyIterator<T>>): Dataset<T> {
  if (typeof make !== 'function')
    throw new Error(`ferrite: data.generator: expected a generator function, got ${typeof make}`);
  return datasetFromIteratorFn(async () => {
    const it = await make();
    if (it === null || typeof it !== 'object' || typeof (it as Iterator<T>).next !== 'function')
      throw new Error(
        'ferrite: data.generator: the function must return an iterator (write it as function* or async function*)',
      );
    return iteratorFromFunction(() => it.next(), 'data.generator');
  });
}

/**
 * A dataset whose elements come from calls to `f`, which returns `{value, done}` (or a
 * promise of it), as `tf.data.func`. All passes share the one stream `f` produces.
 *
 * @example
 * ```ts
 * let i = 0;
 * const ds = fe.data.func(() => (i < 3 ? { value: i++, done: false } : { value: 0, done: true }));
 * await ds.toArray(); // [0, 1, 2]
 * ```
 */
export function func<T = TensorContainer>(f: () => IteratorResult<T> | Promise<IteratorResult<T>>): Dataset<T> {
  if (typeof f !== 'function') throw new Error(`ferrite: data.func: expected a function, got ${typeof f}`);
  const it = iteratorFromFunction(f, 'data.func');
  return datasetFromIteratorFn(async () => it);
}

/**
 * How one CSV column is read, as tf.data's ColumnConfig.
 *
 * @example
 * ```ts no-run
 * const ds = fe.data.csv('file://./housing.csv', {
 *   columnConfigs: { price: { isLabel: true }, rooms: { dtype: 'int32', default: 0 } },
 * }); // elements { xs: { rooms, area, ... }, ys: { price } }
 * ```
 */
export interface ColumnConfig {
  /** An empty value is an error (also for labels). */
  required?: boolean;
  /** Value for empty fields. */
  default?: number | string | boolean;
  /** 'float32' (default), 'int32' (floored) or 'bool' ('1' / 'true' give 1, anything else 0). */
  dtype?: 'float32' | 'int32' | 'bool';
  /** Label columns go to `ys`, the others to `xs`: elements become `{xs, ys}`. */
  isLabel?: boolean;
}

/**
 * Options of `data.csv` (TF.js's CSVConfig).
 *
 * @example
 * ```ts no-run
 * const ds = fe.data.csv('https://example.com/iris.csv', { hasHeader: true, columnConfigs: { species: { isLabel: true } } });
 * const batches = ds.batch(32); // for model.fitDataset after mapping xs and ys to tensors
 * ```
 */
export interface CSVConfig {
  /** The first line names the columns. Default true. */
  hasHeader?: boolean;
  /** Column names (required without a header; must match the header's count with one). */
  columnNames?: string[];
  /** Per-column options by column name: dtype, default, whether it is the label. */
  columnConfigs?: { [name: string]: ColumnConfig };
  /** Only the columns named in columnConfigs. Default false. */
  configuredColumnsOnly?: boolean;
  /** Field separator. Default ','. */
  delimiter?: string;
  /** Fields separated by runs of whitespace (no delimiter then). */
  delimWhitespace?: boolean;
}

type CsvValue = number | string | boolean | undefined;

/** Splits one CSV line into fields: quoted fields may hold the delimiter and "" for a quote. */
export function parseCsvLine(line: string, delimiter: string, delimWhitespace: boolean): string[] {
  if (delimWhitespace) return line.trim().split(/\s+/);
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (line.startsWith(delimiter, i)) {
      out.push(field);
      field = '';
      i += delimiter.length - 1;
    } else field += c;
  }
  out.push(field);
  return out;
}

/**
 * A CSV file's rows as elements: `{column: value}`, or `{xs, ys}` when columns are labels (tf.data's CSVDataset).
 *
 * @example
 * ```ts no-run
 * const ds: fe.data.CSVDataset = fe.data.csv('file://./data.csv');
 * await ds.columnNames(); // the header's names
 * await ds.take(1).toArray(); // [{ a: 1, b: 2, ... }]
 * ```
 */
export class CSVDataset extends Dataset<TensorContainer> {
  private readonly hasHeader: boolean;
  private readonly delimiter: string;
  private names: string[] | null;

  constructor(
    private readonly source: string,
    private readonly config: CSVConfig = {},
  ) {
    super();
    this.hasHeader = config.hasHeader !== false;
    this.names = config.columnNames ?? null;
    if (config.delimWhitespace && config.delimiter !== undefined)
      throw new Error('ferrite: data.csv: give either delimiter or delimWhitespace, not both');
    this.delimiter = config.delimWhitespace ? ' ' : (config.delimiter ?? ',');
  }

  /**
   * The file's lines, streamed: empty lines at the end are dropped (an empty line between
   * rows is kept, and is an error as a row), and a file without any line is an error.
   */
  private async *lines(): AsyncGenerator<string> {
    const what = `data.csv (${this.source})`;
    let empties = 0;
    let any = false;
    for await (const line of textLines(this.source, what)) {
      if (line === '') {
        empties++;
        continue;
      }
      for (; empties > 0; empties--) yield '';
      any = true;
      yield line;
    }
    if (!any) throw new Error(`ferrite: ${what}: the file holds no data`);
  }

  private parse(line: string): string[] {
    return parseCsvLine(line, this.delimiter, this.config.delimWhitespace === true);
  }

  /**
   * The columns' names (from the header or columnNames; only the configured ones with configuredColumnsOnly).
   *
   * @example
   * ```ts no-run
   * await fe.data.csv('file://./data.csv').columnNames(); // ['a', 'b', 'label']
   * ```
   */
  async columnNames(): Promise<string[]> {
    // Only the first line is read (return() closes the file).
    const lines = this.lines();
    const first = await lines.next();
    await lines.return(undefined);
    const names = this.resolveNames(first.done ? '' : first.value);
    return this.config.configuredColumnsOnly ? Object.keys(this.config.columnConfigs ?? {}) : names;
  }

  private resolveNames(firstLine: string): string[] {
    const fromFile = this.hasHeader ? this.parse(firstLine) : null;
    const names = this.names ?? fromFile;
    if (names === null) throw new Error('ferrite: data.csv: columnNames must be given when the file has no header');
    if (fromFile !== null && fromFile.length !== names.length)
      throw new Error(
        `ferrite: data.csv: ${names.length} columnNames given, but the header line has ${fromFile.length} columns`,
      );
    const dup = names.filter((n, i) => names.indexOf(n) !== i);
    if (dup.length > 0) throw new Error(`ferrite: data.csv: duplicate column names: ${dup.join(', ')}`);
    for (const k of Object.keys(this.config.columnConfigs ?? {}))
      if (!names.includes(k))
        throw new Error(`ferrite: data.csv: columnConfigs names '${k}', which is not a column (${names.join(', ')})`);
    this.names = names;
    return names;
  }

  /** Rows are parsed as the file is read, so a file larger than memory streams through. */
  override async iterator(): Promise<DatasetIterator<TensorContainer>> {
    const lines = this.lines();
    const first = await lines.next();
    const names = this.resolveNames(first.done ? '' : first.value);
    let pending: string | null = this.hasHeader || first.done ? null : first.value;
    return new DatasetIterator(async () => {
      if (pending !== null) {
        const line = pending;
        pending = null;
        return { value: this.element(line, names), done: false };
      }
      const r = await lines.next();
      return r.done ? { value: null, done: true } : { value: this.element(r.value, names), done: false };
    });
  }

  private element(line: string, names: string[]): TensorContainer {
    const values = this.parse(line);
    if (values.length !== names.length)
      throw new Error(
        `ferrite: data.csv: a row has ${values.length} fields, the file has ${names.length} columns: ${line}`,
      );
    const configs = this.config.columnConfigs ?? {};
    const xs: Record<string, CsvValue> = {};
    const ys: Record<string, CsvValue> = {};
    names.forEach((key, i) => {
      const c = configs[key] as ColumnConfig | undefined;
      if (this.config.configuredColumnsOnly && c === undefined) return;
      (c?.isLabel ? ys : xs)[key] = csvValue(values[i], c, key, line);
    });
    return (Object.keys(ys).length === 0 ? xs : { xs, ys }) as TensorContainer;
  }
}

function csvValue(v: string, c: ColumnConfig | undefined, key: string, line: string): CsvValue {
  if (v === '') {
    if (c?.default !== undefined) return c.default;
    if (c?.required || c?.isLabel) throw new Error(`ferrite: data.csv: required column ${key} is empty in: ${line}`);
    return undefined;
  }
  const bool = (): number => (v === '1' || v.toLowerCase() === 'true' ? 1 : 0);
  const num = Number(v);
  if (Number.isNaN(num)) return c?.dtype === 'bool' ? bool() : v;
  if (c?.dtype === 'int32') return Math.floor(num);
  if (c?.dtype === 'bool') return bool();
  return num;
}

/**
 * A dataset of a CSV file's rows, as `tf.data.csv`: `source` is a URL (fetched) or, in
 * Node, a `file://` path. Each pass streams the file in chunks and parses rows as they come.
 *
 * @example
 * ```ts no-run
 * const ds = fe.data.csv('file://./data.csv', { columnConfigs: { label: { isLabel: true } } });
 * await ds.take(2).toArray(); // [{ xs: { a: 1, b: 2 }, ys: { label: 0 } }, ...]
 * ```
 */
export function csv(source: string, csvConfig: CSVConfig = {}): CSVDataset {
  if (typeof source !== 'string')
    throw new Error(`ferrite: data.csv: source must be a URL string, got ${typeof source}`);
  return new CSVDataset(source, csvConfig);
}
