import { eventKindOf, type EventKind, type OsvAffected, type OsvRange } from './osv-record.js';
import type { VersionComparator } from '../versions/version-comparator.js';

/**
 * The OSV schema's evaluation algorithm (docs/schema.md, "Evaluation"), exactly: a version is affected by an
 * `affected[]` entry when it is listed in `versions` or lies in one of its `ranges`. For each range whose
 * `limit`s admit the version (no limit = "*", infinity), the events are sorted by version ("0" first) and walked
 * in order: `introduced` <= v makes it vulnerable, `fixed` <= v or `last_affected` < v makes it not vulnerable;
 * the state after the last event is the answer. GIT ranges need the repository's commit graph and are ignored:
 * OSV records that have them also enumerate `versions` or carry an ECOSYSTEM/SEMVER range.
 */
export interface RangeComparators {
  /** Order of ECOSYSTEM ranges and of `versions` equality; undefined when Aspis has none for the ecosystem. */
  readonly ecosystem: VersionComparator | undefined;
  /** Order of SEMVER ranges. */
  readonly semver: VersionComparator;
}

/** Why a version is affected: the enumerated list, or the interval of one range that contains it. */
export type AffectedReason =
  | { readonly kind: 'listed' }
  | {
      readonly kind: 'range';
      readonly type: string;
      /** The `introduced` at or below the version ("0" = from the first version). */
      readonly introduced: string;
      /** The next `fixed` (exclusive) or `last_affected` (inclusive) above the version, if any. */
      readonly fixed?: string;
      readonly lastAffected?: string;
    };

interface SortedEvent {
  readonly kind: EventKind;
  readonly value: string;
}

function compareEventValues(kind: EventKind, value: string, other: SortedEvent, order: VersionComparator): number {
  const zero = (k: EventKind, v: string): boolean => k === 'introduced' && v === '0';
  if (zero(kind, value) || zero(other.kind, other.value)) {
    return zero(kind, value) === zero(other.kind, other.value) ? 0 : zero(kind, value) ? -1 : 1;
  }
  return order.compare(value, other.value);
}

/** The range's events in version order (a stable sort: equal versions keep their written order). */
function sortEvents(range: OsvRange, order: VersionComparator): SortedEvent[] {
  const events: SortedEvent[] = [];
  for (const event of range.events) {
    const { kind, value } = eventKindOf(event);
    if (kind === 'limit') continue;
    // An event whose version the ecosystem cannot read cannot be placed; it is left out.
    if (!(kind === 'introduced' && value === '0') && !parses(order, value)) continue;
    events.push({ kind, value });
  }
  return events.sort((a, b) => compareEventValues(a.kind, a.value, b, order));
}

function parses(order: VersionComparator, version: string): boolean {
  try {
    order.compare(version, version);
    return true;
  } catch {
    return false;
  }
}

/** A range made ready for evaluating many versions: events parsed and sorted once. */
export interface PreparedRange {
  readonly type: string;
  readonly order: VersionComparator;
  readonly events: readonly SortedEvent[];
  /** Limit values; empty when the range has none (an implicit "*"). */
  readonly limits: readonly string[];
}

export function prepareRange(range: OsvRange, order: VersionComparator): PreparedRange {
  const limits = range.events
    .map(eventKindOf)
    .filter((e) => e.kind === 'limit')
    .map((e) => e.value);
  return { type: range.type, order, events: sortEvents(range, order), limits };
}

/** `BeforeLimits`: true without limit events, else when the version is below at least one limit ("*" = infinity). */
function beforeLimits(version: string, range: PreparedRange): boolean {
  if (range.limits.length === 0) return true;
  return range.limits.some((limit) => limit.includes('*') || (parses(range.order, limit) && range.order.compare(version, limit) < 0));
}

/** Evaluates one range; returns the interval containing the version, or undefined when not affected. */
export function versionInRange(version: string, range: PreparedRange): AffectedReason | undefined {
  if (!beforeLimits(version, range)) return undefined;
  const { events, order } = range;
  // The version's order relative to an event ("0" introduced is below every version).
  const versionVs = (event: SortedEvent): number =>
    event.kind === 'introduced' && event.value === '0' ? 1 : order.compare(version, event.value);
  let vulnerable = false;
  let introduced: string | undefined;
  let index = -1;
  events.forEach((event, i) => {
    if (event.kind === 'introduced' && versionVs(event) >= 0) {
      vulnerable = true;
      introduced = event.value;
      index = i;
    } else if (event.kind === 'fixed' && versionVs(event) >= 0) {
      vulnerable = false;
    } else if (event.kind === 'last_affected' && versionVs(event) > 0) {
      vulnerable = false;
    }
  });
  if (!vulnerable) return undefined;
  const closing = events.slice(index + 1).find((e) => e.kind === 'fixed' || e.kind === 'last_affected');
  return {
    kind: 'range',
    type: range.type,
    introduced: introduced!,
    ...(closing?.kind === 'fixed' ? { fixed: closing.value } : {}),
    ...(closing?.kind === 'last_affected' ? { lastAffected: closing.value } : {}),
  };
}

function rangeOrder(range: OsvRange, comparators: RangeComparators): VersionComparator | undefined {
  if (range.type === 'SEMVER') return comparators.semver;
  if (range.type === 'ECOSYSTEM') return comparators.ecosystem;
  return undefined; // GIT and unknown types cannot be evaluated from a version string.
}

/** The key a version is looked up under in `versions`: the ecosystem's canonical form, else the string itself. */
function listKey(version: string, order: VersionComparator | undefined): string {
  if (!order?.canonical) return version;
  try {
    return order.canonical(version);
  } catch {
    return version;
  }
}

/** An affected entry made ready for evaluating many versions: ranges prepared, `versions` as a set of keys. */
export interface PreparedAffected {
  readonly affected: OsvAffected;
  readonly comparators: RangeComparators;
  readonly ranges: readonly PreparedRange[];
  readonly listed: ReadonlySet<string>;
}

export function prepareAffected(affected: OsvAffected, comparators: RangeComparators): PreparedAffected {
  return {
    affected,
    comparators,
    ranges: prepareRanges(affected, comparators),
    listed: new Set((affected.versions ?? []).flatMap((v) => [v, listKey(v, comparators.ecosystem)])),
  };
}

/** The entry's ranges that Aspis can evaluate (SEMVER and ECOSYSTEM with a known order), prepared. */
export function prepareRanges(affected: OsvAffected, comparators: RangeComparators): PreparedRange[] {
  const prepared: PreparedRange[] = [];
  for (const range of affected.ranges ?? []) {
    const order = rangeOrder(range, comparators);
    if (order) prepared.push(prepareRange(range, order));
  }
  return prepared;
}

/** `IncludedInVersions`: listed as the same version (exact string, or the same canonical form in the ecosystem). */
export function listedInVersions(version: string, prepared: PreparedAffected): boolean {
  return prepared.listed.has(version) || prepared.listed.has(listKey(version, prepared.comparators.ecosystem));
}

/** `IncludedInRanges`: the first prepared range that contains the version. */
export function includedInPreparedRanges(version: string, ranges: readonly PreparedRange[]): AffectedReason | undefined {
  for (const range of ranges) {
    if (!parses(range.order, version)) continue;
    const reason = versionInRange(version, range);
    if (reason) return reason;
  }
  return undefined;
}

/** `IncludedInRanges` over the ranges Aspis can evaluate. */
export function includedInRanges(version: string, affected: OsvAffected, comparators: RangeComparators): AffectedReason | undefined {
  return includedInPreparedRanges(version, prepareRanges(affected, comparators));
}

/** `IsVulnerable` for one affected entry (the package has already been matched by ecosystem and name). */
export function affectedReason(version: string, entry: PreparedAffected): AffectedReason | undefined {
  const inRange = includedInPreparedRanges(version, entry.ranges);
  if (inRange) return inRange;
  return listedInVersions(version, entry) ? { kind: 'listed' } : undefined;
}

/** Every `fixed` of the entry's evaluable ranges that is above the version, ascending: the upgrades that help. */
export function fixedVersionsAbove(version: string, affected: OsvAffected, comparators: RangeComparators): string[] {
  const found: string[] = [];
  let order: VersionComparator | undefined;
  for (const range of affected.ranges ?? []) {
    const rangeComparator = rangeOrder(range, comparators);
    if (!rangeComparator) continue;
    order ??= rangeComparator;
    for (const event of range.events) {
      const fixed = event.fixed;
      if (fixed === undefined || found.includes(fixed)) continue;
      try {
        if (rangeComparator.compare(fixed, version) > 0) found.push(fixed);
      } catch {
        // Unreadable versions are no upgrade advice.
      }
    }
  }
  return order ? found.sort((a, b) => order.compare(a, b)) : found;
}
