/*
 * Hand-written validators for RPC params: each failure names the field, the
 * expected type and what was received, as an InvalidParams ResponseError.
 */
import { ResponseError } from 'vscode-jsonrpc';
import { ErrorCodes } from '../protocol';

/** Throws InvalidParams for `field`. */
export function invalid(field: string, expected: string, got: unknown): never {
  const shown = got === undefined ? 'nothing' : typeof got === 'string' ? JSON.stringify(got.slice(0, 60)) : Array.isArray(got) ? 'an array' : got === null ? 'null' : typeof got;
  throw new ResponseError(ErrorCodes.InvalidParams, `invalid params: ${field} must be ${expected}, got ${shown}`);
}

/** A plain object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The params object (requests that take params must get an object). */
export function object(v: unknown, field = 'params'): Record<string, unknown> {
  if (!isObject(v)) invalid(field, 'an object', v);
  return v;
}

/** Rejects keys the method does not know, so a typo is not silently ignored. */
export function onlyKeys(o: Record<string, unknown>, field: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new ResponseError(ErrorCodes.InvalidParams, `invalid params: ${field} has unknown field "${k}" (known: ${allowed.join(', ')})`);
  }
}

/** A string field (optional / non-empty as asked). */
export function string(v: unknown, field: string, opts: { optional?: boolean; nonEmpty?: boolean } = {}): string | undefined {
  if (v === undefined && opts.optional) return undefined;
  if (typeof v !== 'string' || (opts.nonEmpty && v === '')) invalid(field, opts.nonEmpty ? 'a non-empty string' : 'a string', v);
  return v;
}

/** A safe integer field within [min, max]. */
export function integer(v: unknown, field: string, opts: { optional?: boolean; min?: number; max?: number } = {}): number | undefined {
  if (v === undefined && opts.optional) return undefined;
  const range = opts.min !== undefined ? ` >= ${opts.min}` : '';
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) invalid(field, `an integer${range}`, v);
  if (opts.min !== undefined && v < opts.min) invalid(field, `an integer${range}`, String(v));
  if (opts.max !== undefined && v > opts.max) invalid(field, `an integer <= ${opts.max}`, String(v));
  return v;
}

/** An optional boolean field. */
export function boolean(v: unknown, field: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') invalid(field, 'a boolean', v);
  return v;
}

/** An array of strings, optionally non-empty and drawn from a fixed set. */
export function stringArray(v: unknown, field: string, opts: { optional?: boolean; nonEmpty?: boolean; oneOf?: readonly string[] } = {}): string[] | undefined {
  if (v === undefined && opts.optional) return undefined;
  if (!Array.isArray(v) || (opts.nonEmpty && v.length === 0)) invalid(field, opts.nonEmpty ? 'a non-empty array of strings' : 'an array of strings', v);
  v.forEach((s, i) => {
    if (typeof s !== 'string') invalid(`${field}[${i}]`, 'a string', s);
    if (opts.oneOf && !opts.oneOf.includes(s)) invalid(`${field}[${i}]`, `one of ${opts.oneOf.join(', ')}`, s);
  });
  return v as string[];
}

/** An optional object whose values are all strings (environment variables). */
export function stringRecord(v: unknown, field: string): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  const o = object(v, field);
  for (const [k, s] of Object.entries(o)) if (typeof s !== 'string') invalid(`${field}.${k}`, 'a string', s);
  return o as Record<string, string>;
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(v: unknown, field: string, values: readonly T[], optional = true): T | undefined {
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || !values.includes(v as T)) invalid(field, `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`, v);
  return v as T;
}
