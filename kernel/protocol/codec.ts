/**
 * The record codec (contract 3; the table is in record.ts): `encodeValue` turns a value into
 * JSON-safe data, `decodeValue` turns it back. Free of any tensor library: a tensor is recognised
 * by its shape (`TensorLike`), so a tensor from any copy of tfjs encodes the same way.
 */
import {
  FULL_TENSOR_LIMIT,
  NotImplementedRecord,
  RecordError,
  TensorRecord,
  TensorSummaryRecord,
  type Encoded,
  type EncodedNumber,
  type NotImplementedInfo,
  type RecordPayload,
} from './record';
import { summarize } from './summary';

/** What the codec needs of a tensor (tf.Tensor has it). */
export interface TensorLike {
  readonly dtype: string;
  readonly shape: number[];
  readonly rank: number;
  readonly isDisposed?: boolean;
  dataSync(): ArrayLike<number> | ArrayLike<string> | ArrayLike<Uint8Array>;
}

/** True for a tensor of any copy of tfjs (and anything shaped like one). */
export function isTensorLike(v: unknown): v is TensorLike {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as { dtype?: unknown; shape?: unknown; dataSync?: unknown; rank?: unknown };
  return (
    typeof t.dtype === 'string' &&
    Array.isArray(t.shape) &&
    typeof t.dataSync === 'function' &&
    typeof t.rank === 'number'
  );
}

export function encodeNumber(v: number): EncodedNumber {
  if (Number.isFinite(v)) return v;
  return { $num: Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity' };
}

/** The inverse of `encodeNumber`; throws `RecordError` for anything else. */
export function decodeNumber(e: unknown): number {
  if (typeof e === 'number') return e;
  if (isMarker(e, '$num')) {
    const s = (e as { $num: unknown }).$num;
    if (s === 'NaN') return NaN;
    if (s === 'Infinity') return Infinity;
    if (s === '-Infinity') return -Infinity;
  }
  throw new RecordError(`not an encoded number: ${JSON.stringify(e)}`);
}

/** A tensor given as dtype, shape and flat row-major data: in full up to FULL_TENSOR_LIMIT elements, else summarised. */
export function encodeTensorData(
  dtype: string,
  shape: readonly number[],
  data: ArrayLike<number> | readonly string[],
): Encoded {
  if (dtype === 'string') return { $tensor: { dtype, shape: [...shape], data: Array.from(data as readonly string[]) } };
  if (data.length > FULL_TENSOR_LIMIT) return encodeSummary(summarize(dtype, shape, data as ArrayLike<number>));
  const out: Encoded[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = encodeNumber((data as ArrayLike<number>)[i]) as Encoded;
  return { $tensor: { dtype, shape: [...shape], data: out } };
}

export function encodeSummary(s: TensorSummaryRecord): Encoded {
  return {
    $tensorSummary: {
      dtype: s.dtype,
      shape: [...s.shape],
      size: s.size,
      sum: encodeNumber(s.sum),
      sumSq: encodeNumber(s.sumSq),
      min: encodeNumber(s.min),
      max: encodeNumber(s.max),
      nanCount: s.nanCount,
      sample: s.sample.map(encodeNumber) as Encoded[],
    },
  } as Encoded;
}

/** `{ $notImplemented: { fn, file } }`: how a record whose thunk hit an empty TODO is stored. */
export function encodeNotImplemented(info: NotImplementedInfo): Encoded {
  return { $notImplemented: { fn: info.fn, file: info.file } };
}

/** The fn and file of an encoded `$notImplemented` marker, or undefined for any other value. */
export function notImplementedOf(e: unknown): NotImplementedInfo | undefined {
  if (!isMarker(e, '$notImplemented')) return undefined;
  const b = (e as { $notImplemented: unknown }).$notImplemented as Partial<NotImplementedInfo> | null;
  return b && typeof b.fn === 'string' && typeof b.file === 'string' ? { fn: b.fn, file: b.file } : undefined;
}

/** The encoded value a record payload stands for: its value, or the `$notImplemented` marker. */
export function payloadValue(p: RecordPayload): Encoded {
  return p.notImplemented ? encodeNotImplemented(p.notImplemented) : (p.value as Encoded);
}

const TYPED_ARRAYS = {
  Float32Array,
  Float64Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint8ClampedArray,
  Uint16Array,
  Uint32Array,
} as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;

function typedArrayName(v: unknown): TypedArrayName | undefined {
  if (!ArrayBuffer.isView(v) || v instanceof DataView) return undefined;
  const name = v.constructor.name;
  return name in TYPED_ARRAYS ? (name as TypedArrayName) : undefined;
}

export function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Encodes a value as JSON-safe data (see the table in record.ts). Pure apart from reading tensor
 * data. Throws `RecordError` for functions, symbols, disposed tensors, cycles and class instances
 * other than the ones listed.
 */
export function encodeValue(value: unknown): Encoded {
  return encodeAt(value, 'value', new Set());
}

function encodeAt(v: unknown, where: string, seen: Set<object>): Encoded {
  switch (typeof v) {
    case 'number':
      return encodeNumber(v) as Encoded;
    case 'boolean':
    case 'string':
      return v;
    case 'undefined':
      return { $undefined: true };
    case 'bigint':
      return { $bigint: v.toString() };
    case 'function':
      throw new RecordError(`${where} is a function; record what it returns instead`);
    case 'symbol':
      throw new RecordError(`${where} is a symbol, which cannot be recorded`);
  }
  if (v === null) return null;
  const o = v as object;
  if (isTensorLike(o)) {
    if (o.isDisposed)
      throw new RecordError(`${where} is a tensor that was already disposed; record it before disposing it`);
    if (o.dtype === 'complex64')
      throw new RecordError(`${where} is a complex64 tensor; record its real and imaginary parts separately`);
    return encodeTensorData(o.dtype, o.shape, o.dataSync() as ArrayLike<number> | string[]);
  }
  if (o instanceof TensorRecord) return encodeTensorData(o.dtype, o.shape, o.data);
  if (o instanceof TensorSummaryRecord) return encodeSummary(o);
  if (o instanceof NotImplementedRecord) return encodeNotImplemented(o);
  const typed = typedArrayName(o);
  if (typed)
    return { $typedArray: { type: typed, data: Array.from(o as ArrayLike<number>, encodeNumber) as Encoded[] } };
  if (o instanceof Date) return { $date: o.toISOString() };
  if (seen.has(o)) throw new RecordError(`${where} contains itself (a cycle); record a copy without the cycle`);
  seen.add(o);
  try {
    if (Array.isArray(o)) return o.map((item, i) => encodeAt(item, `${where}[${i}]`, seen));
    if (o instanceof Map) {
      return {
        $map: [...o].map(([k, val], i) => [
          encodeAt(k, `${where} key ${i}`, seen),
          encodeAt(val, `${where}.get(${String(k)})`, seen),
        ]),
      };
    }
    if (o instanceof Set) return { $set: [...o].map((item, i) => encodeAt(item, `${where} item ${i}`, seen)) };
    if (!isPlainObject(o)) {
      const name = (o.constructor && o.constructor.name) || 'object';
      throw new RecordError(`${where} is a ${name}; record numbers, strings, arrays, plain objects or tensors`);
    }
    const out: { [key: string]: Encoded } = {};
    let needsWrap = false;
    for (const [k, val] of Object.entries(o)) {
      out[k] = encodeAt(val, `${where}.${k}`, seen);
      if (k.startsWith('$')) needsWrap = true;
    }
    return needsWrap ? { $object: out } : out;
  } finally {
    seen.delete(o);
  }
}

function isMarker(e: unknown, key: string): boolean {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return false;
  const keys = Object.keys(e);
  return keys.length === 1 && keys[0] === key;
}

/**
 * The inverse of `encodeValue`. Tensors come back as `TensorRecord` (full) or
 * `TensorSummaryRecord` (summary), a `$notImplemented` marker as `NotImplementedRecord`.
 * Throws `RecordError` on malformed input.
 */
export function decodeValue(e: unknown): unknown {
  if (e === null || typeof e === 'boolean' || typeof e === 'number' || typeof e === 'string') return e;
  if (Array.isArray(e)) return e.map(decodeValue);
  if (typeof e !== 'object') throw new RecordError(`cannot decode a ${typeof e}`);
  const o = e as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0].startsWith('$')) {
    const body = o[keys[0]];
    switch (keys[0]) {
      case '$num':
        return decodeNumber(o);
      case '$undefined':
        return undefined;
      case '$bigint':
        return BigInt(String(body));
      case '$date':
        return new Date(String(body));
      case '$object': {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(body as object)) out[k] = decodeValue(v);
        return out;
      }
      case '$map':
        return new Map((body as unknown[][]).map(([k, v]) => [decodeValue(k), decodeValue(v)]));
      case '$set':
        return new Set((body as unknown[]).map(decodeValue));
      case '$typedArray': {
        const b = body as { type: string; data: unknown[] };
        const Ctor = TYPED_ARRAYS[b?.type as TypedArrayName];
        if (!Ctor || !Array.isArray(b.data))
          throw new RecordError(`unknown typed array type ${JSON.stringify(b?.type)}`);
        return Ctor.from(b.data.map(decodeNumber));
      }
      case '$tensor': {
        const b = body as { dtype: string; shape: number[]; data: unknown[] };
        if (!b || !Array.isArray(b.shape) || !Array.isArray(b.data))
          throw new RecordError('malformed $tensor: needs dtype, shape and data');
        const data = b.dtype === 'string' ? (b.data as string[]).slice() : b.data.map(decodeNumber);
        return new TensorRecord(b.dtype, [...b.shape], data);
      }
      case '$tensorSummary': {
        const b = body as Record<string, unknown>;
        if (!b || !Array.isArray(b.shape) || !Array.isArray(b.sample))
          throw new RecordError('malformed $tensorSummary: needs shape and sample');
        return new TensorSummaryRecord(
          String(b.dtype),
          [...(b.shape as number[])],
          Number(b.size),
          decodeNumber(b.sum),
          decodeNumber(b.sumSq),
          decodeNumber(b.min),
          decodeNumber(b.max),
          Number(b.nanCount ?? 0),
          (b.sample as unknown[]).map(decodeNumber),
        );
      }
      case '$notImplemented': {
        const info = notImplementedOf(o);
        if (!info) throw new RecordError('malformed $notImplemented: needs fn and file');
        return new NotImplementedRecord(info.fn, info.file);
      }
      default:
        throw new RecordError(`unknown marker ${keys[0]} in an encoded value`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = decodeValue(v);
  return out;
}
