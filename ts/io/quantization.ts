// Weight quantization as the tensorflowjs converter writes it: affine uint8/uint16
// (value = q * scale + min, with zero exactly representable) and IEEE half floats.

/**
 * How a float32 weight is stored quantized: affine uint8 or uint16, or IEEE half floats.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 4, inputShape: [100] })] });
 * let bytes = 0;
 * await m.save(fe.io.withSaveHandler(async (a) => ((bytes = (a.weightData as ArrayBuffer).byteLength), { modelArtifactsInfo: fe.io.getModelArtifactsInfoForJSON(a) })), { quantize: 'uint8' });
 * bytes; // 404: one byte per value instead of four
 * ```
 */
export type QuantizationDtype = 'uint8' | 'uint16' | 'float16';

export const QUANTIZATION_BYTES: Record<QuantizationDtype, number> = { uint8: 1, uint16: 2, float16: 2 };

/**
 * Affine range for `values` (the converter's _get_affine_quantization_range): the
 * range is widened to contain 0 and nudged so that 0 maps to an integer.
 */
function affineRange(values: Float32Array, qmax: number): { scale: number; min: number } {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi === lo ? 1 : (hi - lo) / qmax;
  const zeroPoint = Math.round(-lo / scale);
  return { scale, min: -zeroPoint * scale };
}

/** Quantizes float32 values; returns the bytes and the manifest's quantization entry. */
export function quantize(
  values: Float32Array,
  dtype: QuantizationDtype,
): { bytes: Uint8Array; entry: { dtype: QuantizationDtype; scale?: number; min?: number; original_dtype: 'float32' } } {
  if (dtype === 'float16') {
    const out = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = toHalf(values[i]);
    return { bytes: new Uint8Array(out.buffer), entry: { dtype, original_dtype: 'float32' } };
  }
  const qmax = dtype === 'uint8' ? 255 : 65535;
  const { scale, min } = affineRange(values, qmax);
  const out = dtype === 'uint8' ? new Uint8Array(values.length) : new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.min(qmax, Math.max(0, Math.round((values[i] - min) / scale)));
  return { bytes: new Uint8Array(out.buffer), entry: { dtype, scale, min, original_dtype: 'float32' } };
}

/** Float values of `count` quantized values at `bytes` (TF.js's decoding). */
export function dequantize(
  bytes: Uint8Array,
  count: number,
  q: { dtype: QuantizationDtype; scale?: number; min?: number },
  into: Float32Array | Int32Array,
): void {
  const aligned = bytes.slice(0, count * QUANTIZATION_BYTES[q.dtype]).buffer;
  if (q.dtype === 'float16') {
    const h = new Uint16Array(aligned);
    for (let i = 0; i < count; i++) into[i] = fromHalf(h[i]);
    return;
  }
  const src = q.dtype === 'uint8' ? new Uint8Array(aligned) : new Uint16Array(aligned);
  const scale = q.scale!;
  const min = q.min!;
  for (let i = 0; i < count; i++) into[i] = src[i] * scale + min;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 -> IEEE binary16 bits, rounding to nearest even (overflow to infinity). */
export function toHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && m & 1)) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

/** IEEE binary16 bits -> number. */
export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/**
 * Which weights model.save quantizes, named after the tensorflowjs converter's flags
 * (`--quantize_uint8 '*\/kernel,dense_1/*'`): per dtype, `true` for every weight no
 * pattern claims, or a list of fnmatch-style patterns (`*`, `?`, `[seq]`, `[!seq]`)
 * matched against whole weight names (`dense_1/kernel`).
 */
export interface QuantizationOptions {
  /** Every float32 weight to one dtype (the same as `quantize<Dtype>: true`). */
  quantize?: QuantizationDtype;
  /** Store as affine uint8: every float32 weight (true) or those whose names match these patterns (`*` wildcards). */
  quantizeUint8?: boolean | string[];
  /** Store as affine uint16: every float32 weight (true) or those whose names match these patterns. */
  quantizeUint16?: boolean | string[];
  /** Store as float16: every float32 weight (true) or those whose names match these patterns. */
  quantizeFloat16?: boolean | string[];
}

const OPTION_DTYPES: [keyof QuantizationOptions, QuantizationDtype][] = [
  ['quantizeUint8', 'uint8'],
  ['quantizeUint16', 'uint16'],
  ['quantizeFloat16', 'float16'],
];

/** An fnmatch pattern as a whole-string RegExp (Python's fnmatch.translate). */
export function fnmatchRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[' && pattern.indexOf(']', i + 2) > 0) {
      const end = pattern.indexOf(']', i + 2);
      let body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
      if (body[0] === '!') body = `^${body.slice(1)}`;
      else if (body[0] === '^') body = `\\${body}`;
      re += `[${body}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/**
 * The dtype each named weight is stored as (absent: unquantized), as the converter's
 * map_layers_to_quantization_dtype decides it. A pattern that matches no weight, a
 * weight two dtypes claim, or two catch-all dtypes are errors naming them.
 */
export function quantizationDtypes(
  names: readonly string[],
  options: QuantizationOptions,
  what: string,
): Map<string, QuantizationDtype> {
  const out = new Map<string, QuantizationDtype>();
  const allOf: [string, QuantizationDtype][] = [];
  if (options.quantize !== undefined) {
    if (!(options.quantize in QUANTIZATION_BYTES))
      throw new Error(
        `ferrite: ${what}: quantize must be 'uint8', 'uint16' or 'float16', got ${JSON.stringify(options.quantize)}`,
      );
    allOf.push(['quantize', options.quantize]);
  }
  for (const [key, dtype] of OPTION_DTYPES) {
    const v = options[key];
    if (v === undefined || v === false) continue;
    if (v === true) {
      allOf.push([key, dtype]);
      continue;
    }
    if (!Array.isArray(v) || v.some((p) => typeof p !== 'string'))
      throw new Error(`ferrite: ${what}: ${key} must be true or a list of weight-name patterns, got ${String(v)}`);
    for (const pattern of v) {
      const re = fnmatchRegExp(pattern);
      const matched = names.filter((n) => re.test(n));
      if (matched.length === 0)
        throw new Error(
          `ferrite: ${what}: ${key} pattern '${pattern}' matches no weight (weights: ${names.join(', ')})`,
        );
      for (const name of matched) {
        const other = out.get(name);
        if (other !== undefined && other !== dtype)
          throw new Error(`ferrite: ${what}: weight '${name}' is matched for both ${other} and ${dtype}`);
        out.set(name, dtype);
      }
    }
  }
  if (allOf.length > 1)
    throw new Error(
      `ferrite: ${what}: only one quantization can apply to all weights, got ${allOf.map(([k]) => k).join(' and ')}`,
    );
  if (allOf.length === 1) for (const n of names) if (!out.has(n)) out.set(n, allOf[0][1]);
  return out;
}
