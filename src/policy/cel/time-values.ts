/**
 * CEL timestamps and durations: parsing (RFC 3339, Go duration strings), formatting, arithmetic with cel-go's range
 * checks, and the calendar accessors (getHours, getDayOfWeek, …) with an optional time zone (UTC by default, as
 * Kubernetes sets DefaultUTCTimeZone).
 */
import { CelError } from './errors.js';
import { CelDuration, CelTimestamp } from './values.js';

const NANOS_PER_SECOND = 1_000_000_000n;
/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999999Z in nanoseconds since the epoch. */
const MIN_TIMESTAMP = -62135596800n * NANOS_PER_SECOND;
const MAX_TIMESTAMP = 253402300799n * NANOS_PER_SECOND + 999_999_999n;
/** Durations are limited to ±(2^63-1) ns in Go; cel-go also caps at ±10000 years worth of seconds. */
const MAX_DURATION = 9223372036854775807n;

export function checkedTimestamp(nanos: bigint): CelTimestamp {
  if (nanos < MIN_TIMESTAMP || nanos > MAX_TIMESTAMP) throw new CelError('timestamp overflow');
  return new CelTimestamp(nanos);
}

export function checkedDuration(nanos: bigint): CelDuration {
  if (nanos > MAX_DURATION || nanos < -MAX_DURATION - 1n) throw new CelError('duration overflow');
  return new CelDuration(nanos);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export function parseTimestamp(text: string): CelTimestamp {
  const m = RFC3339.exec(text);
  if (!m) throw new CelError(`type conversion error from 'string' to 'google.protobuf.Timestamp'`);
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    throw new CelError(`type conversion error from 'string' to 'google.protobuf.Timestamp'`);
  }
  // Date.UTC maps years 0-99 to 1900+; fix up with setUTCFullYear.
  check.setUTCFullYear(Number(y));
  let nanos = BigInt(check.getTime()) * 1_000_000n + BigInt((frac ?? '').padEnd(9, '0') || '0');
  if (sign) nanos -= BigInt((sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60)) * NANOS_PER_SECOND;
  return checkedTimestamp(nanos);
}

export function formatTimestamp(ts: CelTimestamp): string {
  const seconds = ts.nanos / NANOS_PER_SECOND - (ts.nanos % NANOS_PER_SECOND < 0n ? 1n : 0n);
  const frac = ts.nanos - seconds * NANOS_PER_SECOND;
  const date = new Date(Number(seconds) * 1000);
  const year = String(date.getUTCFullYear()).padStart(4, '0');
  const pad = (n: number): string => String(n).padStart(2, '0');
  let text = `${year}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  if (frac > 0n) text += `.${String(frac).padStart(9, '0').replace(/0+$/, '')}`;
  return `${text}Z`;
}

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  'µs': 1000n,
  'μs': 1000n,
  ms: 1_000_000n,
  s: NANOS_PER_SECOND,
  m: 60n * NANOS_PER_SECOND,
  h: 3600n * NANOS_PER_SECOND,
};

/** Go's time.ParseDuration grammar: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ or "0". */
export function parseDuration(text: string): CelDuration {
  const fail = (): never => {
    throw new CelError(`type conversion error from 'string' to 'google.protobuf.Duration'`);
  };
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return new CelDuration(0n);
  if (rest === '') fail();
  let total = 0n;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (rest.length > 0) {
    const m = part.exec(rest);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) fail();
    const unit = DURATION_UNITS[m![3]!]!;
    const whole = BigInt(m![1] || '0') * unit;
    const fracDigits = m![2] ?? '';
    const frac = fracDigits ? (BigInt(fracDigits) * unit) / 10n ** BigInt(fracDigits.length) : 0n;
    total += whole + frac;
    rest = rest.slice(m![0].length);
  }
  return checkedDuration(negative ? -total : total);
}

export function formatDuration(d: CelDuration): string {
  const seconds = Number(d.nanos) / 1e9;
  const whole = d.nanos / NANOS_PER_SECOND;
  const frac = d.nanos % NANOS_PER_SECOND;
  if (frac === 0n) return `${whole}s`;
  return `${seconds.toString()}s`;
}

/** Calendar fields of a timestamp in a time zone: UTC, a fixed offset (`+05:30`), or an IANA name. */
export function calendarOf(ts: CelTimestamp, zone = 'UTC'): {
  year: number;
  month: number;
  day: number;
  dayOfWeek: number;
  dayOfYear: number;
  hours: number;
  minutes: number;
  seconds: number;
  milliseconds: number;
} {
  const ms = Number(ts.nanos / 1_000_000n);
  let shifted: Date;
  const offset = /^([+-])(\d{2}):(\d{2})$/.exec(zone);
  if (zone === 'UTC' || zone === '') shifted = new Date(ms);
  else if (offset) shifted = new Date(ms + (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000);
  else {
    let parts: Intl.DateTimeFormatPart[];
    try {
      parts = new Intl.DateTimeFormat('en-US', {
        timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      }).formatToParts(new Date(ms));
    } catch {
      throw new CelError(`unknown time zone ${zone}`);
    }
    const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
    shifted = new Date(Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'), ms % 1000));
  }
  const startOfYear = Date.UTC(shifted.getUTCFullYear(), 0, 1);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth(),
    day: shifted.getUTCDate(),
    dayOfWeek: shifted.getUTCDay(),
    dayOfYear: Math.floor((shifted.getTime() - startOfYear) / 86_400_000),
    hours: shifted.getUTCHours(),
    minutes: shifted.getUTCMinutes(),
    seconds: shifted.getUTCSeconds(),
    milliseconds: Number((ts.nanos / 1_000_000n) % 1000n + 1000n) % 1000,
  };
}
