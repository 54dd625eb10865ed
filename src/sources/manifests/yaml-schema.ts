/**
 * Scalar resolution as Kubernetes does it. kubectl and the API server decode YAML with sigs.k8s.io/yaml, which
 * unmarshals with its go-yaml v2 fork (YAML 1.1 flavoured) into interface{} and then converts to JSON. This module
 * reproduces go-yaml v2's `resolve()` (sigs.k8s.io/yaml/goyaml.v2/resolve.go) for plain (unquoted) scalars:
 *
 * - booleans: exactly `y Y yes Yes YES true True TRUE on On ON` and `n N no No NO false False FALSE off Off OFF`
 *   (mixed case such as `yEs` stays a string);
 * - null: empty, `~`, `null`, `Null`, `NULL`;
 * - integers: Go `strconv.ParseInt(s, 0, 64)` syntax after removing every `_`: decimal, `0x`/`0X` hex, `0o`/`0O`
 *   octal, `0b`/`0B` binary and YAML 1.1 leading-zero octal (`0755` is 493), with an optional sign; then
 *   ParseUint, then big integers (all become JavaScript numbers);
 * - floats: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` (so `08` and `1.` are numbers, `1e400` overflows
 *   and stays a string), `.inf`/`-.inf`/`.nan` spellings; Kubernetes then fails to encode NaN and ±Inf as JSON, so
 *   we report those as errors;
 * - timestamps stay strings (go-yaml v2 keeps timestamp-looking values as strings when decoding into interface{});
 * - no base-60 numbers, no YAML 1.2-only spellings beyond the above.
 *
 * Quoted scalars are always strings. Non-string keys become strings (`on:` is the key "true", `0x10:` is "16").
 * Explicit tags follow go-yaml: `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!binary` (base64-decoded),
 * `!!timestamp` (kept as the string); unknown tags are ignored and the node keeps its plain value.
 */
import jsyaml from 'js-yaml';

type ScalarKind = 'null' | 'bool' | 'int' | 'float' | 'str';

const MAP = new Map<string, [ScalarKind, unknown]>();
for (const s of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']) MAP.set(s, ['bool', true]);
for (const s of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']) MAP.set(s, ['bool', false]);
for (const s of ['~', 'null', 'Null', 'NULL']) MAP.set(s, ['null', null]);
for (const s of ['.nan', '.NaN', '.NAN']) MAP.set(s, ['float', Number.NaN]);
for (const s of ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']) MAP.set(s, ['float', Number.POSITIVE_INFINITY]);
for (const s of ['-.inf', '-.Inf', '-.INF']) MAP.set(s, ['float', Number.NEGATIVE_INFINITY]);

/** go-yaml's resolveTable: the first character decides which rules are tried. */
const HINT = new Uint8Array(128);
const H_MAP = 1;
const H_DOT = 2;
const H_NUM = 3;
for (const c of 'yYnNtTfFoO~') HINT[c.charCodeAt(0)] = H_MAP;
HINT['.'.charCodeAt(0)] = H_DOT;
for (const c of '+-0123456789') HINT[c.charCodeAt(0)] = H_NUM;

const SMALL_DECIMAL = /^(?:0|[1-9][0-9]{0,14})$/;
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/;
const YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const DOT_FLOAT = /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Value of an unsigned Go integer literal accepted by ParseInt(s, 0, 64) syntax (prefix rules of base 0). */
function goUnsignedLiteral(body: string): bigint {
  if (body.length > 1 && body.charCodeAt(0) === 48 /* 0 */) {
    const p = body[1]!;
    if (p === 'x' || p === 'X') return BigInt(`0x${body.slice(2)}`);
    if (p === 'b' || p === 'B') return BigInt(`0b${body.slice(2)}`);
    if (p === 'o' || p === 'O') return BigInt(`0o${body.slice(2)}`);
    return BigInt(`0o${body.slice(1)}`);
  }
  return BigInt(body);
}

let lastKind: ScalarKind = 'str';

/**
 * Resolves a plain scalar the way go-yaml v2 does. Returns `text` itself (the same string) when it stays a string;
 * `lastKind` tells which YAML type matched.
 */
function resolve(text: string): unknown {
  if (text.length === 0) {
    lastKind = 'null';
    return null;
  }
  const c = text.charCodeAt(0);
  const hint = c < 128 ? HINT[c]! : 0;
  if (hint === 0) {
    lastKind = 'str';
    return text;
  }
  const hit = MAP.get(text);
  if (hit !== undefined) {
    lastKind = hit[0];
    return hit[1];
  }
  if (hint === H_DOT) {
    if (DOT_FLOAT.test(text)) {
      const v = Number(text);
      if (Number.isFinite(v)) {
        lastKind = 'float';
        return v;
      }
    }
  } else if (hint === H_NUM) {
    if (SMALL_DECIMAL.test(text)) {
      lastKind = 'int';
      return Number(text);
    }
    const plain = text.includes('_') ? text.replace(/_/g, '') : text;
    let uintRange = false;
    if (GO_INT.test(plain)) {
      const sign = plain[0] === '-' ? -1n : 1n;
      const body = plain[0] === '-' || plain[0] === '+' ? plain.slice(1) : plain;
      const v = sign * goUnsignedLiteral(body);
      if (v >= INT64_MIN && v <= INT64_MAX) {
        lastKind = 'int';
        return Number(v);
      }
      // ParseInt failed with a range error; ParseUint accepts no sign.
      if (body === plain) {
        if (v <= UINT64_MAX) {
          lastKind = 'int';
          return Number(v);
        }
        uintRange = true;
      }
    }
    if (YAML_FLOAT.test(plain)) {
      const v = Number(plain);
      if (Number.isFinite(v)) {
        lastKind = 'float';
        return v;
      }
    }
    if (plain.startsWith('0b')) {
      // strconv.ParseInt(plain[2:], 2, 64) also takes a sign after the prefix.
      const m = /^([-+]?)([01]+)$/.exec(plain.slice(2));
      if (m) {
        lastKind = 'int';
        return Number((m[1] === '-' ? -1n : 1n) * BigInt(`0b${m[2]}`));
      }
    }
    if (uintRange) {
      // big.Int.SetString(plain, 0)
      lastKind = 'int';
      return Number(goUnsignedLiteral(plain));
    }
  }
  lastKind = 'str';
  return text;
}

/** The value Kubernetes gives an unquoted scalar: boolean, number, null, or the text itself. */
export function resolvePlainScalar(text: string): unknown {
  return resolve(text);
}

/** The JavaScript object key js-yaml stores for a plain (unquoted) key written as `text`. */
export function plainKeyToString(text: string): string {
  return String(resolve(text));
}

let nonFinite = 0;
/** Number of NaN/±Inf values constructed since the last call (Kubernetes cannot encode them as JSON). */
export function takeNonFiniteCount(): number {
  const n = nonFinite;
  nonFinite = 0;
  return n;
}

let cacheIn: string | undefined;
let cacheOut: unknown;

const k8sScalar = new jsyaml.Type('tag:yaml.org,2002:k8s-scalar', {
  kind: 'scalar',
  resolve(data: unknown) {
    if (typeof data !== 'string') return false;
    const v = resolve(data);
    if (v === data) return false;
    cacheIn = data;
    cacheOut = v;
    return true;
  },
  construct(data: string) {
    const v = data === cacheIn ? cacheOut : resolve(data);
    if (typeof v === 'number' && !Number.isFinite(v)) nonFinite++;
    return v;
  },
});

function explicit(tag: string, accept: (kind: ScalarKind) => boolean, convert: (v: unknown) => unknown = (v) => v) {
  return new jsyaml.Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (data: unknown) => typeof data === 'string' && (resolve(data), accept(lastKind)),
    construct: (data: string) => {
      const v = convert(resolve(data));
      if (typeof v === 'number' && !Number.isFinite(v)) nonFinite++;
      return v;
    },
  });
}

const binary = new jsyaml.Type('tag:yaml.org,2002:binary', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && /^[A-Za-z0-9+/=\s]*$/.test(data),
  construct: (data: string) => Buffer.from(data.replace(/\s+/g, ''), 'base64').toString('utf8'),
});

const timestamp = new jsyaml.Type('tag:yaml.org,2002:timestamp', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/.test(data),
});

/** go-yaml ignores tags it does not know: the node keeps its value (a scalar stays the written string). */
const unknownTags = (['scalar', 'sequence', 'mapping'] as const).map(
  (kind) => new jsyaml.Type('', { kind, multi: true, construct: (data: unknown) => data }),
);

/** `<<` merge keys (go-yaml v2 merges them too); js-yaml recognises a key by this tag. */
const merge = new jsyaml.Type('tag:yaml.org,2002:merge', {
  kind: 'scalar',
  resolve: (data: unknown) => data === '<<' || data === null,
});

/** The js-yaml schema that decodes like sigs.k8s.io/yaml (go-yaml v2). */
export const K8S_YAML_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [merge, k8sScalar],
  explicit: [
    explicit('null', (k) => k === 'null'),
    explicit('bool', (k) => k === 'bool'),
    explicit('int', (k) => k === 'int'),
    explicit('float', (k) => k === 'int' || k === 'float'),
    binary,
    timestamp,
    ...unknownTags,
  ],
});
