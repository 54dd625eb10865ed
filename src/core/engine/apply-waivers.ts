/**
 * Applies waivers to findings. Pure: the clock is the `now` parameter, so the same input gives the same verdict in the
 * CLI, in CI, in the admission webhook and in a cluster scan.
 *
 * - A finding matched by a valid waiver in force moves to `waived`, with `finding.waiver` naming the first such
 *   waiver (in the order given). Every waiver that matches it counts as used.
 * - A waiver is invalid (reported `invalid`, never applied) when its reader set a `problem`, or it has no reason, names
 *   no check, has an expiry that is not an ISO 8601 date / date-time with offset, or has an invalid label selector.
 * - An expired waiver (see `parseExpiry`: a date means through the end of that day UTC) is not applied and is reported
 *   `expired`, naming since when and how many findings it would have waived.
 * - A valid waiver in force that matched no finding is reported `unused`.
 *
 * `labelsOf` gives the `metadata.labels` of a finding's object (undefined: no labels); it is called only for waivers
 * with label requirements, at most once per finding. Pass `options.checks` so that former check ids match.
 */
import type { AppliedWaiver, Finding } from '../model/finding.js';
import type { WaiverReport } from '../model/report.js';
import type { CheckMeta } from '../model/check.js';
import type { Waiver } from '../model/waiver.js';
import { ALL_CHECKS_WILDCARD, checkIdIndex, parseExpiry } from '../model/waiver.js';
import type { CheckIdIndex } from '../model/waiver.js';
import { formatResourceSelector, resourceSelectorMatcher, selectorNeedsLabels, validateResourceSelector } from '../model/resource-selector.js';
import type { ResourceRef } from '../model/resource.js';

export interface ApplyWaiversOptions {
  /**
   * The check catalog (every check, not only those that ran), so that a waiver naming a check's former id (alias)
   * waives it. Without it, waiver ids are compared with finding check ids as written.
   */
  checks?: readonly Pick<CheckMeta, 'id' | 'aliases'>[];
}

export interface WaiverOutcome {
  /** Findings in effect, in input order. */
  active: Finding[];
  /** Copies of the waived findings with `waiver` set, in input order. */
  waived: Finding[];
  /** One entry per expired, unused or invalid waiver, in the order the waivers were given. */
  reports: WaiverReport[];
}

type Labels = Record<string, string> | undefined;

interface PreparedWaiver {
  waiver: Waiver;
  /** Current check ids it names (aliases resolved); undefined for `*`. */
  ids: Set<string> | undefined;
  needsLabels: boolean;
  matches: (ref: ResourceRef, labels: Labels) => boolean;
  state: 'active' | 'expired' | 'invalid';
  problems: string[];
  expiresAt?: Date;
  matched: number;
}

export function applyWaivers(
  findings: Finding[],
  waivers: Waiver[],
  labelsOf: (f: Finding) => Record<string, string> | undefined,
  now: Date,
  options: ApplyWaiversOptions = {},
): WaiverOutcome {
  const matcher = new WaiverMatcher(waivers, now, options);
  const active: Finding[] = [];
  const waived: Finding[] = [];
  for (const finding of findings) {
    const applied = matcher.match(finding.checkId, finding.resource, () => labelsOf(finding));
    if (applied) waived.push({ ...finding, waiver: applied });
    else active.push(finding);
  }
  return { active, waived, reports: matcher.reports() };
}

/**
 * applyWaivers one finding at a time, for findings that are not objects (a scan keeps them rendered: see
 * src/scan/finding-run.ts): `match` says which waiver applies to a finding and counts every waiver that matches it;
 * `reports` then lists the expired, unused and invalid ones.
 */
export class WaiverMatcher {
  private readonly index: CheckIdIndex | undefined;
  private readonly prepared: PreparedWaiver[];

  constructor(waivers: readonly Waiver[], now: Date, options: ApplyWaiversOptions = {}) {
    this.index = options.checks ? checkIdIndex(options.checks) : undefined;
    this.prepared = waivers.map((waiver) => prepare(waiver, this.index, now));
  }

  /** Whether any waiver can apply (a scan without waivers skips matching). */
  get empty(): boolean {
    return this.prepared.length === 0;
  }

  /** The waiver that applies to a finding, if one does; `labelsOf` is called at most once, only when needed. */
  match(checkId: string, ref: ResourceRef, labelsOf: () => Labels): AppliedWaiver | undefined {
    let labels: Labels;
    let labelsRead = false;
    const labelsFor = (): Labels => {
      if (!labelsRead) {
        labels = labelsOf();
        labelsRead = true;
      }
      return labels;
    };
    let applied: AppliedWaiver | undefined;
    for (const p of this.prepared) {
      if (p.state === 'invalid') continue;
      if (p.ids !== undefined && !p.ids.has(checkId)) continue;
      if (!p.matches(ref, p.needsLabels ? labelsFor() : undefined)) continue;
      p.matched++;
      if (p.state === 'active' && !applied) applied = appliedWaiver(p.waiver);
    }
    return applied;
  }

  /** One entry per expired, unused or invalid waiver, in the order the waivers were given. */
  reports(): WaiverReport[] {
    const reports: WaiverReport[] = [];
    for (const p of this.prepared) {
      const { waiver } = p;
      const base = { declaredAt: waiver.declaredAt, checks: [...waiver.checks], reason: String(waiver.reason ?? '').trim() };
      const withExpiry = waiver.expires !== undefined ? { ...base, expires: waiver.expires } : base;
      if (p.state === 'invalid') {
        reports.push({ ...withExpiry, status: 'invalid', message: `${p.problems.join('; ')}; the waiver does not apply` });
      } else if (p.state === 'expired') {
        const since = formatInstant(p.expiresAt!);
        const written = waiver.expires!.trim();
        const until = /^\d{4}-\d{2}-\d{2}$/.test(written) ? `expires: ${written}, through the end of that day UTC` : `expires: ${written}`;
        const effect =
          p.matched === 0
            ? 'it matches no finding either: remove it'
            : p.matched === 1
              ? '1 finding it matches is reported again: fix it or renew the waiver'
              : `${p.matched} findings it matches are reported again: fix them or renew the waiver`;
        reports.push({ ...withExpiry, status: 'expired', message: `expired since ${since} (${until}); ${effect}` });
      } else if (p.matched === 0) {
        reports.push({ ...withExpiry, status: 'unused', message: unusedMessage(waiver, this.index) });
      }
    }
    return reports;
  }
}

function prepare(waiver: Waiver, index: CheckIdIndex | undefined, now: Date): PreparedWaiver {
  const problems: string[] = [];
  let expiresAt: Date | undefined;
  if (waiver.problem !== undefined) problems.push(waiver.problem);
  else {
    if (waiver.checks.length === 0) problems.push('it names no check');
    if (typeof waiver.reason !== 'string' || waiver.reason.trim() === '') problems.push('a reason is required');
    if (waiver.expires !== undefined) {
      const parsed = parseExpiry(waiver.expires);
      if ('error' in parsed) problems.push(`expires: ${parsed.error}`);
      else expiresAt = parsed.expiresAt;
    }
    for (const issue of validateResourceSelector(waiver.selector, ['resources'])) problems.push(`${issue.field}: ${issue.message}`);
  }

  let ids: Set<string> | undefined = new Set<string>();
  for (const id of waiver.checks) {
    if (id === ALL_CHECKS_WILDCARD) {
      ids = undefined;
      break;
    }
    ids.add(index?.get(id) ?? id);
  }
  const state = problems.length > 0 ? 'invalid' : expiresAt !== undefined && now.getTime() >= expiresAt.getTime() ? 'expired' : 'active';
  return {
    waiver,
    ids,
    needsLabels: selectorNeedsLabels(waiver.selector),
    matches: state === 'invalid' ? () => false : resourceSelectorMatcher(waiver.selector),
    state,
    problems,
    ...(expiresAt ? { expiresAt } : {}),
    matched: 0,
  };
}

function appliedWaiver(waiver: Waiver): AppliedWaiver {
  const applied: AppliedWaiver = { source: waiver.source, reason: waiver.reason.trim(), declaredAt: waiver.declaredAt };
  if (waiver.owner !== undefined) applied.owner = waiver.owner;
  if (waiver.expires !== undefined) applied.expires = waiver.expires;
  return applied;
}

function unusedMessage(waiver: Waiver, index: CheckIdIndex | undefined): string {
  const unknown = index ? waiver.checks.filter((id) => id !== ALL_CHECKS_WILDCARD && !index.has(id)) : [];
  const hint = unknown.length > 0 ? ` (no check has the id ${unknown.map((id) => `"${id}"`).join(', ')})` : '';
  if (waiver.source === 'annotation') {
    return `the object has no finding of ${waiver.checks.join(', ')}${hint}: remove the annotation`;
  }
  return `matched no finding of ${waiver.checks.join(', ')}${hint} on ${formatResourceSelector(waiver.selector)}: remove the waiver or fix its checks and resources`;
}

/** `2027-02-01T00:00:00Z` (milliseconds only when not zero). */
function formatInstant(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}
