/**
 * A waiver: one model for scan, admission and runtime. It says what (check or rule ids), where (a resource
 * selector), why (a required reason), who (an optional owner) and until when (an optional expiry). Waivers come from
 * `.aspis.yaml` exceptions and from `waiver.aspis.dev/<check-id>` annotations; engine/apply-waivers.ts applies them.
 */
import type { ResourceSelector } from './resource-selector.js';
import type { CheckMeta } from './check.js';

export type WaiverSource = 'config' | 'annotation';

/** The id that waives every check (config exceptions only: `checks: "*"`). */
export const ALL_CHECKS_WILDCARD = '*';

export interface Waiver {
  /** Check (or rule) ids as written; a check's former ids (aliases) match it too. `["*"]` waives every check. */
  checks: string[];
  /** Which objects it applies to; `{}` means every object. */
  selector: ResourceSelector;
  /** Why the risk is accepted. Required and non-empty: a waiver without a reason does not apply. */
  reason: string;
  /** Who accepted the risk (team, person). */
  owner?: string;
  /**
   * Last day (`2027-01-31`, through the end of that day UTC) or instant (`2027-01-31T18:00:00Z`, with an offset)
   * the waiver applies; see {@link parseExpiry}.
   */
  expires?: string;
  source: WaiverSource;
  /** Where it was written: `.aspis.yaml:14`, or `Deployment/prod/api annotation waiver.aspis.dev/<check-id>`. */
  declaredAt: string;
  /**
   * Why the declaration cannot be a waiver (an annotation with an empty reason, an unknown key…), set by the reader
   * of its source. Such a waiver never applies; applyWaivers reports it `invalid` with this message, so every waiver
   * problem reaches the report through the same path.
   */
  problem?: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2})$/;

/**
 * When a waiver stops applying: the first instant it is no longer in force.
 * - A date (`2027-01-31`) means the waiver applies through the end of that day in UTC, so it expires at
 *   `2027-02-01T00:00:00Z`. A day is what people mean by "until January 31st"; UTC makes the verdict the same on every
 *   machine.
 * - A date-time must carry its offset (`Z` or `+02:00`): a local time would give a different verdict on each machine.
 *   The waiver expires at that instant.
 */
export function parseExpiry(text: string): { expiresAt: Date } | { error: string } {
  const trimmed = text.trim();
  const date = DATE.exec(trimmed);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    if (!validDay(y, m, d)) return { error: `"${text}" is not a valid date` };
    return { expiresAt: new Date(Date.UTC(y, m - 1, d + 1)) };
  }
  const dateTime = DATE_TIME.exec(trimmed);
  if (dateTime) {
    const [y, m, d, hh, mm, ss] = [1, 2, 3, 4, 5, 6].map((i) => Number(dateTime[i] ?? 0)) as [number, number, number, number, number, number];
    if (!validDay(y, m, d) || hh > 23 || mm > 59 || ss > 59) return { error: `"${text}" is not a valid date-time` };
    const millis = Number((dateTime[7] ?? '').padEnd(3, '0').slice(0, 3));
    const zone = dateTime[8]!;
    let offsetMinutes = 0;
    if (zone !== 'Z' && zone !== 'z') {
      const digits = zone.slice(1).replace(':', '');
      const [oh, om] = [Number(digits.slice(0, 2)), Number(digits.slice(2))];
      if (oh > 23 || om > 59) return { error: `"${text}" has an invalid offset` };
      offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
    }
    return { expiresAt: new Date(Date.UTC(y, m - 1, d, hh, mm, ss, millis) - offsetMinutes * 60_000) };
  }
  if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}/.test(trimmed)) {
    return { error: `"${text}" has no time zone: write a date (2027-01-31) or a date-time with an offset (2027-01-31T18:00:00Z)` };
  }
  return { error: `"${text}" is not an ISO 8601 date (2027-01-31) or date-time with an offset (2027-01-31T18:00:00Z)` };
}

function validDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Maps every check id and former id (alias) to the check's current id. */
export type CheckIdIndex = ReadonlyMap<string, string>;

export function checkIdIndex(checks: readonly Pick<CheckMeta, 'id' | 'aliases'>[]): CheckIdIndex {
  const index = new Map<string, string>();
  for (const check of checks) {
    for (const alias of check.aliases ?? []) if (!index.has(alias)) index.set(alias, check.id);
  }
  // Current ids win over any alias that happens to equal them.
  for (const check of checks) index.set(check.id, check.id);
  return index;
}

/**
 * The known id closest to `id` when it is a likely typo (edit distance ≤ 2, else one being a prefix of the other),
 * for "did you mean". Pass current ids only, so the suggestion is never a former id.
 */
export function suggestCheckId(id: string, known: Iterable<string>): string | undefined {
  let best: { id: string; distance: number } | undefined;
  for (const candidate of known) {
    let distance = editDistance(id, candidate);
    if (distance > 2 && id.length >= 4 && (candidate.startsWith(id) || id.startsWith(candidate))) distance = 2.5;
    if (distance <= 2.5 && (!best || distance < best.distance || (distance === best.distance && candidate < best.id))) {
      best = { id: candidate, distance };
    }
  }
  return best?.id;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
