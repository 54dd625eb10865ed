/**
 * Kubernetes' format library (format.dns1123Label().validate(s) → optional list of errors, format.named(name)) and
 * semver library (semver(), isSemver(), major/minor/patch, compareTo, isLessThan, isGreaterThan).
 * Validation messages are apimachinery's for the DNS/label formats; uri/uuid/byte/date/datetime use short texts.
 */
import { CelError, noSuchOverload } from '../errors.js';
import type { FunctionTable } from '../function-table.js';
import { CelOptional, CelType, Opaque, type Value } from '../values.js';

const FORMAT_TYPE = new CelType('kubernetes.NamedFormat');
const SEMVER_TYPE = new CelType('kubernetes.Semver');

class NamedFormat extends Opaque {
  readonly celType = FORMAT_TYPE;
  constructor(readonly name: string, readonly validate: (s: string) => string[]) {
    super();
  }
  equals(other: Value): boolean {
    return other instanceof NamedFormat && other.name === this.name;
  }
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function maxLength(s: string, n: number): string[] {
  return s.length > n ? [`must be no more than ${n} characters`] : [];
}

function dns1123Label(s: string): string[] {
  const errs = maxLength(s, 63);
  if (!DNS1123_LABEL.test(s)) errs.push(`a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`);
  return errs;
}
function dns1123Subdomain(s: string): string[] {
  const errs = maxLength(s, 253);
  if (!DNS1123_SUBDOMAIN.test(s)) errs.push(`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`);
  return errs;
}
function dns1035Label(s: string): string[] {
  const errs = maxLength(s, 63);
  if (!DNS1035_LABEL.test(s)) errs.push(`a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`);
  return errs;
}
function qualifiedName(s: string): string[] {
  const parts = s.split('/');
  const errs: string[] = [];
  let name = s;
  if (parts.length === 2) {
    const [prefix, n] = parts as [string, string];
    name = n;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...dns1123Subdomain(prefix).map((e) => `prefix part ${e}`));
  } else if (parts.length > 2) {
    return [`a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (name.length > 0 && !QUALIFIED_NAME_PART.test(name)) {
    errs.push(`name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`);
  }
  return errs;
}
function labelValue(s: string): string[] {
  const errs = maxLength(s, 63);
  if (!LABEL_VALUE.test(s)) errs.push(`a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`);
  return errs;
}
const prefixed = (validate: (s: string) => string[]) => (s: string): string[] => validate(s.endsWith('-') ? `${s}a` : s);

const FORMATS: Record<string, NamedFormat> = {
  dns1123Label: new NamedFormat('DNS1123Label', dns1123Label),
  dns1123Subdomain: new NamedFormat('DNS1123Subdomain', dns1123Subdomain),
  dns1035Label: new NamedFormat('DNS1035Label', dns1035Label),
  qualifiedName: new NamedFormat('QualifiedName', qualifiedName),
  dns1123LabelPrefix: new NamedFormat('DNS1123LabelPrefix', prefixed(dns1123Label)),
  dns1123SubdomainPrefix: new NamedFormat('DNS1123SubdomainPrefix', prefixed(dns1123Subdomain)),
  dns1035LabelPrefix: new NamedFormat('DNS1035LabelPrefix', prefixed(dns1035Label)),
  labelValue: new NamedFormat('LabelValue', labelValue),
  uri: new NamedFormat('URI', (s) => (/^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$|^\/[^\s]*$/.test(s) ? [] : ['invalid URI'])),
  uuid: new NamedFormat('uuid', (s) => (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(s) ? [] : ['does not match the UUID format'])),
  byte: new NamedFormat('byte', (s) => (/^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s) ? [] : ['invalid base64'])),
  date: new NamedFormat('date', (s) => (/^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) ? [] : ['invalid date'])),
  datetime: new NamedFormat('datetime', (s) => (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) ? [] : ['invalid datetime'])),
};

class Semver extends Opaque {
  readonly celType = SEMVER_TYPE;
  constructor(readonly major: bigint, readonly minor: bigint, readonly patch: bigint, readonly pre: string[]) {
    super();
  }
  compare(other: Value): number {
    if (!(other instanceof Semver)) throw noSuchOverload();
    for (const k of ['major', 'minor', 'patch'] as const) if (this[k] !== other[k]) return this[k] < other[k] ? -1 : 1;
    if (this.pre.length === 0 || other.pre.length === 0) return this.pre.length === other.pre.length ? 0 : this.pre.length === 0 ? 1 : -1;
    for (let i = 0; i < Math.min(this.pre.length, other.pre.length); i++) {
      const a = this.pre[i]!;
      const b = other.pre[i]!;
      if (a === b) continue;
      const an = /^\d+$/.test(a);
      const bn = /^\d+$/.test(b);
      if (an && bn) return BigInt(a) < BigInt(b) ? -1 : 1;
      if (an !== bn) return an ? -1 : 1;
      return a < b ? -1 : 1;
    }
    return this.pre.length === other.pre.length ? 0 : this.pre.length < other.pre.length ? -1 : 1;
  }
  equals(other: Value): boolean {
    return other instanceof Semver && this.compare(other) === 0;
  }
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

function parseSemver(text: string, normalize: boolean): Semver {
  let s = text;
  if (normalize) {
    if (s.startsWith('v')) s = s.slice(1);
    const core = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$/.exec(s);
    if (core) {
      if ((core[2] === undefined || core[3] === undefined) && core[4] !== '') throw new CelError('short version cannot contain PreRelease/Build meta data');
      const strip = (n: string | undefined): string => String(BigInt(n ?? '0'));
      s = `${strip(core[1])}.${strip(core[2])}.${strip(core[3])}${core[4]}`;
    }
  }
  const m = SEMVER.exec(s);
  if (!m) throw new CelError(`No Major.Minor.Patch elements found`);
  return new Semver(BigInt(m[1]!), BigInt(m[2]!), BigInt(m[3]!), m[4] ? m[4].split('.') : []);
}

function semverOf(v: Value): Semver {
  if (!(v instanceof Semver)) throw noSuchOverload();
  return v;
}

function str(v: Value): string {
  if (typeof v !== 'string') throw noSuchOverload();
  return v;
}

const NAMED_FORMAT_FUNCTIONS: FunctionTable = Object.fromEntries(
  Object.entries(FORMATS).map(([name, f]) => [`format.${name}`, { global: { 0: () => f }, result: 'kubernetes.NamedFormat' }]),
);

export const FORMAT_AND_SEMVER_LIBRARY: FunctionTable = {
  ...NAMED_FORMAT_FUNCTIONS,
  'format.named': { global: { 1: (n: Value) => (FORMATS[str(n)] ? CelOptional.of(FORMATS[str(n)]) : CelOptional.NONE) }, result: 'optional' },
  validate: {
    method: {
      1: (f: Value, s: Value) => {
        if (!(f instanceof NamedFormat)) throw noSuchOverload();
        const errors = f.validate(str(s));
        return errors.length === 0 ? CelOptional.NONE : CelOptional.of(errors);
      },
    },
    result: 'optional',
    receivers: ['kubernetes.NamedFormat'],
  },
  semver: {
    global: { 1: (s: Value) => parseSemver(str(s), false), 2: (s: Value, n: Value) => parseSemver(str(s), n === true) },
    result: 'kubernetes.Semver',
  },
  isSemver: {
    global: {
      1: (s: Value) => { try { parseSemver(str(s), false); return true; } catch (e) { if (e instanceof CelError) return false; throw e; } },
      2: (s: Value, n: Value) => { try { parseSemver(str(s), n === true); return true; } catch (e) { if (e instanceof CelError) return false; throw e; } },
    },
    result: 'bool',
  },
  major: { method: { 0: (v: Value) => semverOf(v).major }, result: 'int', receivers: ['kubernetes.Semver'] },
  minor: { method: { 0: (v: Value) => semverOf(v).minor }, result: 'int', receivers: ['kubernetes.Semver'] },
  patch: { method: { 0: (v: Value) => semverOf(v).patch }, result: 'int', receivers: ['kubernetes.Semver'] },
};

/** isLessThan/isGreaterThan/compareTo are shared by Quantity and Semver: dispatch on the receiver. */
export function semverComparisons(quantity: FunctionTable): FunctionTable {
  const both = (name: 'isLessThan' | 'isGreaterThan' | 'compareTo', semverImpl: (a: Semver, b: Value) => Value): FunctionTable[string] => ({
    method: {
      1: (a: Value, b: Value) => (a instanceof Semver ? semverImpl(a, b) : quantity[name]!.method![1]!(a, b)),
    },
    result: name === 'compareTo' ? 'int' : 'bool',
    receivers: ['kubernetes.Quantity', 'kubernetes.Semver'],
  });
  return {
    isLessThan: both('isLessThan', (a, b) => a.compare(b) < 0),
    isGreaterThan: both('isGreaterThan', (a, b) => a.compare(b) > 0),
    compareTo: both('compareTo', (a, b) => BigInt(a.compare(b))),
  };
}
