/**
 * cel-go's strings extension at version 2 (what Kubernetes enables since 1.29): charAt, indexOf, lastIndexOf,
 * lowerAscii, upperAscii, replace, split, substring, trim, join, format, strings.quote. Indexes count code points,
 * as Go's []rune does.
 */
import { CelError, noSuchOverload } from '../errors.js';
import type { FunctionTable } from '../function-table.js';
import { CelUint, CelDuration, CelTimestamp, formatDouble, isMap, mapEntries, type Value } from '../values.js';
import { toCelString } from './standard.js';

function runes(s: string): string[] {
  return Array.from(s);
}

function str(v: Value): string {
  if (typeof v !== 'string') throw noSuchOverload();
  return v;
}
function int(v: Value): number {
  if (typeof v !== 'bigint') throw noSuchOverload();
  return Number(v);
}

function charAt(s: Value, index: Value): string {
  const r = runes(str(s));
  const i = int(index);
  if (i < 0 || i > r.length) throw new CelError(`index out of range: ${i}`);
  return r[i] ?? '';
}

function indexOf(s: Value, sub: Value, offset: Value = 0n): bigint {
  const text = runes(str(s));
  const needle = runes(str(sub));
  const off = int(offset);
  if (needle.length === 0) return BigInt(off);
  if (off < 0) throw new CelError(`index out of range: ${off}`);
  if (off >= text.length) return -1n;
  for (let i = off; i < text.length - (needle.length - 1); i++) {
    let found = true;
    for (let j = 0; j < needle.length; j++) if (text[i + j] !== needle[j]) { found = false; break; }
    if (found) return BigInt(i);
  }
  return -1n;
}

function lastIndexOf(s: Value, sub: Value, offset?: Value): bigint {
  const text = runes(str(s));
  const needle = runes(str(sub));
  if (offset === undefined) {
    if (needle.length === 0) return BigInt(text.length);
    if (Buffer.byteLength(s as string) < Buffer.byteLength(sub as string)) return -1n;
    return lastIndexOf(s, sub, BigInt(text.length - 1));
  }
  let off = int(offset);
  if (needle.length === 0) return BigInt(off);
  if (off < 0) throw new CelError(`index out of range: ${off}`);
  if (off >= text.length) return -1n;
  if (off > text.length - needle.length) off = text.length - needle.length;
  for (let i = off; i >= 0; i--) {
    let found = true;
    for (let j = 0; j < needle.length; j++) if (text[i + j] !== needle[j]) { found = false; break; }
    if (found) return BigInt(i);
  }
  return -1n;
}

function asciiCase(upper: boolean) {
  return (s: Value): string => str(s).replace(upper ? /[a-z]+/g : /[A-Z]+/g, (m) => (upper ? m.toUpperCase() : m.toLowerCase()));
}

/** Go's strings.Replace: n < 0 replaces all; an empty `old` matches before every rune and at the end. */
function replace(s: Value, old: Value, replacement: Value, count: Value = -1n): string {
  const text = str(s);
  const from = str(old);
  const to = str(replacement);
  let n = int(count);
  if (n === 0 || (from === to)) return text;
  if (from === '') {
    const parts = runes(text);
    let out = '';
    for (let i = 0; i <= parts.length; i++) {
      if (n !== 0) { out += to; n--; }
      if (i < parts.length) out += parts[i];
    }
    return out;
  }
  let out = '';
  let start = 0;
  for (;;) {
    if (n === 0) break;
    const at = text.indexOf(from, start);
    if (at < 0) break;
    out += text.slice(start, at) + to;
    start = at + from.length;
    n--;
  }
  return out + text.slice(start);
}

/** Go's strings.SplitN (n < 0: all; n == 0: empty list; empty separator: one element per rune). */
function split(s: Value, sep: Value, count: Value = -1n): string[] {
  const text = str(s);
  const separator = str(sep);
  const n = int(count);
  if (n === 0) return [];
  if (separator === '') {
    const parts = runes(text);
    if (n < 0 || n >= parts.length) return parts;
    return [...parts.slice(0, n - 1), parts.slice(n - 1).join('')];
  }
  const all = text.split(separator);
  if (n < 0 || n >= all.length) return all;
  return [...all.slice(0, n - 1), all.slice(n - 1).join(separator)];
}

function substring(s: Value, start: Value, end?: Value): string {
  const r = runes(str(s));
  const from = int(start);
  if (end === undefined) {
    if (from < 0 || from > r.length) throw new CelError(`index out of range: ${from}`);
    return r.slice(from).join('');
  }
  const to = int(end);
  if (from > to) throw new CelError(`invalid substring range. start: ${from}, end: ${to}`);
  if (from < 0 || from > r.length) throw new CelError(`index out of range: ${from}`);
  if (to < 0 || to > r.length) throw new CelError(`index out of range: ${to}`);
  return r.slice(from, to).join('');
}

/** Go's strings.TrimSpace: Unicode White_Space. */
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

function trim(s: Value): string {
  return str(s).replace(GO_SPACE, '');
}

function join(list: Value, sep: Value = ''): string {
  if (!Array.isArray(list)) throw noSuchOverload();
  const separator = str(sep);
  let out = '';
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (typeof e !== 'string') throw new CelError(`join: invalid input: ${String(e)}`);
    if (i > 0) out += separator;
    out += e;
  }
  return out;
}

function quote(s: Value): string {
  let out = '"';
  for (const c of str(s)) {
    switch (c) {
      case '\x07': out += '\\a'; break;
      case '\b': out += '\\b'; break;
      case '\f': out += '\\f'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      case '\v': out += '\\v'; break;
      case '\\': out += '\\\\'; break;
      case '"': out += '\\"'; break;
      default: out += c;
    }
  }
  return `${out}"`;
}

/** `%s` rendering of any value, as strings.format prints lists and maps. */
function formatString(v: Value): string {
  if (Array.isArray(v)) return `[${v.map(formatString).join(', ')}]`;
  if (isMap(v)) {
    const entries = mapEntries(v).map(([k, val]) => [formatString(k), formatString(val)] as const);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return `{${entries.map(([k, val]) => `${k}: ${val}`).join(', ')}}`;
  }
  if (v === null) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatDouble(v);
  if (v instanceof CelTimestamp || v instanceof CelDuration) return toCelString(v);
  return toCelString(v);
}

function formatNumber(v: Value, verb: string, precision: number | undefined): string {
  if (verb === 'd') {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof CelUint) return v.value.toString();
    throw new CelError(`error during formatting: decimal clause can only be used on integers, was given ${typeNameFor(v)}`);
  }
  if (verb === 'f' || verb === 'e') {
    const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : v instanceof CelUint ? Number(v.value) : undefined;
    if (n === undefined) throw new CelError(`error during formatting: fixed-point clause can only be used on doubles, was given ${typeNameFor(v)}`);
    if (Number.isNaN(n)) return 'NaN';
    if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
    const p = precision ?? 6;
    if (verb === 'f') return n.toFixed(p);
    const [m, e] = n.toExponential(p).split('e') as [string, string];
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const radix = verb === 'b' ? 2 : verb === 'o' ? 8 : 16;
  let text: string;
  if (typeof v === 'bigint') text = v < 0n ? `-${(-v).toString(radix)}` : v.toString(radix);
  else if (v instanceof CelUint) text = v.value.toString(radix);
  else if (radix === 16 && typeof v === 'string') text = Buffer.from(v, 'utf8').toString('hex');
  else if (radix === 16 && v instanceof Uint8Array) text = Buffer.from(v).toString('hex');
  else if (verb === 'b' && typeof v === 'boolean') text = v ? '1' : '0';
  else throw new CelError(`error during formatting: only integers${radix === 16 ? ', byte buffers, and strings' : ''} can be formatted as ${verb === 'b' ? 'binary' : verb === 'o' ? 'octal' : 'hex'}, was given ${typeNameFor(v)}`);
  return verb === 'X' ? text.toUpperCase() : text;
}

function typeNameFor(v: Value): string {
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v === null) return 'null_type';
  if (Array.isArray(v)) return 'list';
  if (isMap(v)) return 'map';
  return 'dyn';
}

function format(template: Value, args: Value): string {
  const text = str(template);
  if (!Array.isArray(args)) throw noSuchOverload();
  let out = '';
  let next = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    if (text[i + 1] === '%') {
      out += '%';
      i++;
      continue;
    }
    let j = i + 1;
    let precision: number | undefined;
    if (text[j] === '.') {
      let k = j + 1;
      while (/[0-9]/.test(text[k] ?? '')) k++;
      precision = Number(text.slice(j + 1, k));
      j = k;
    }
    const verb = text[j];
    if (verb === undefined) throw new CelError('error during formatting: unexpected end of format string');
    if (next >= args.length) throw new CelError(`index ${next} out of range`);
    const arg = args[next++];
    if (verb === 's') out += formatString(arg);
    else if ('dfeboxX'.includes(verb)) out += formatNumber(arg, verb, precision);
    else throw new CelError(`could not parse formatting clause: unrecognized formatting clause "${verb}"`);
    i = j;
  }
  if (next < args.length) throw new CelError(`too many arguments supplied to string.format (expected ${next}, got ${args.length})`);
  return out;
}

const STRING = ['string'] as const;

export const STRINGS_LIBRARY: FunctionTable = {
  charAt: { method: { 1: charAt }, result: 'string', receivers: STRING },
  indexOf: { method: { 1: indexOf, 2: indexOf }, result: 'int' },
  lastIndexOf: { method: { 1: lastIndexOf, 2: lastIndexOf }, result: 'int' },
  lowerAscii: { method: { 0: asciiCase(false) }, result: 'string', receivers: STRING },
  upperAscii: { method: { 0: asciiCase(true) }, result: 'string', receivers: STRING },
  replace: { method: { 2: replace, 3: replace }, result: 'string', receivers: STRING },
  split: { method: { 1: split, 2: split }, result: 'list', receivers: STRING },
  substring: { method: { 1: substring, 2: substring }, result: 'string', receivers: STRING },
  trim: { method: { 0: trim }, result: 'string', receivers: STRING },
  join: { method: { 0: join, 1: join }, result: 'string', receivers: ['list'] },
  format: { method: { 1: format }, result: 'string', receivers: STRING },
  'strings.quote': { global: { 1: quote }, result: 'string' },
};
