/**
 * Real OSV records (../shared/corpora/osv-advisories, see its PROVENANCE.md): for every affected entry that
 * enumerates `versions` and has a range Aspis evaluates (ECOSYSTEM or SEMVER), the range evaluation alone must
 * (a) include every listed version and (b) exclude every neighbouring unlisted version: the range bounds
 * themselves and every other version of the same package that any record of the corpus lists. Disagreements
 * are listed in EXPLAINED with the reason; an unexplained one fails, and so does an explanation no longer needed.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { corpusDir } from '../corpora/corpus-location.js';
import type { OsvAffected, OsvRange, OsvRecord } from '../../src/vuln/osv/osv-record.js';
import type { VersionComparator } from '../../src/vuln/versions/version-comparator.js';
import { includedInPreparedRanges, prepareRanges } from '../../src/vuln/osv/range-evaluation.js';
import { rangeComparatorsFor } from '../../src/vuln/osv/ecosystem-comparators.js';
import { validateOsvRecord } from '../../src/vuln/osv/validate-osv-record.js';

const root = corpusDir('osv-advisories');

function* recordFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'LICENSES') yield* recordFiles(path);
    } else if (/\.(json|ya?ml)$/.test(name)) yield path;
  }
}

const records: Array<{ file: string; record: OsvRecord }> = [];
for (const path of recordFiles(root)) {
  const text = readFileSync(path, 'utf8');
  const value: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  const { record, problems } = validateOsvRecord(value);
  assert.ok(record, `${relative(root, path)}: ${JSON.stringify(problems)}`);
  records.push({ file: relative(root, path), record });
}

/** Every version any record lists, per ecosystem + package, with the records that list it. */
const listedBy = new Map<string, Map<string, Set<string>>>();
for (const { file, record } of records) {
  for (const affected of record.affected ?? []) {
    if (!affected.package) continue;
    const key = `${affected.package.ecosystem}\u0000${affected.package.name}`;
    const versions = listedBy.get(key) ?? new Map<string, Set<string>>();
    for (const v of affected.versions ?? []) versions.set(v, (versions.get(v) ?? new Set()).add(file));
    listedBy.set(key, versions);
  }
}

type Disagreement = { version: string; listed: boolean };
type Entry = { file: string; affected: OsvAffected; ranges: OsvRange[]; order: VersionComparator };

/**
 * Why an entry's enumeration and its ranges disagree. Each reason comes with the shape every disagreement of
 * that entry must have, so a new kind of disagreement in an explained entry still fails.
 */
const REASONS = {
  'enumerated-at-another-time': {
    why:
      'osv.dev enumerates `versions` from the registry\'s release list when it (re)processes a record; other records ' +
      'of the same package were enumerated at other times and list releases this one does not (pre-releases since ' +
      'deleted from PyPI, releases published after this enumeration). Each disagreement is an unlisted version that ' +
      'another record lists, inside this entry\'s range.',
    fits: (d: Disagreement, e: Entry) =>
      !d.listed && [...(listedBy.get(keyOf(e.affected))?.get(d.version) ?? [])].some((file) => file !== e.file),
  },
  'overlapping-intervals': {
    why:
      'the events list holds overlapping intervals (introduced 2.11, fixed 2.11.7 and introduced 0, fixed 2.11.6 ' +
      'in one range). The schema evaluates one sorted timeline, where fixed 2.11.6 ends the vulnerable state; ' +
      'osv.dev\'s enumeration read each introduced/fixed pair as its own interval.',
    fits: (d: Disagreement, e: Entry) => d.listed && inWrittenPairs(d.version, e),
  },
  'pre-release-below-introduced': {
    why:
      'the record introduces the vulnerability at a final release ("3.2") and lists that release\'s pre-releases ' +
      '(3.2a1, 3.2b1, 3.2rc1); in PEP 440 those sort below 3.2, so the range excludes them.',
    fits: (d: Disagreement, e: Entry) =>
      d.listed && e.ranges.some((r) => r.events.some((ev) => ev.introduced && ev.introduced !== '0' && d.version.startsWith(ev.introduced) && e.order.compare(d.version, ev.introduced) < 0)),
  },
  'listed-at-or-after-fixed': {
    why: 'the record lists the version it names as fixed (gevent 23.9.0) and a post-release of it; the range excludes them.',
    fits: (d: Disagreement, e: Entry) =>
      d.listed && e.ranges.some((r) => r.events.some((ev) => ev.fixed !== undefined && e.order.compare(d.version, ev.fixed) >= 0)),
  },
} as const;

/** Reads the events as written, pair by pair (introduced, then the next fixed), as osv.dev's enumeration does. */
function inWrittenPairs(version: string, e: Entry): boolean {
  return e.ranges.some((range) =>
    range.events.some((ev, i) => {
      if (ev.introduced === undefined) return false;
      const fixed = range.events.slice(i + 1).find((next) => next.fixed !== undefined)?.fixed;
      const above = ev.introduced === '0' || e.order.compare(version, ev.introduced) >= 0;
      return above && (fixed === undefined || e.order.compare(version, fixed) < 0);
    }),
  );
}

function binarySearch(sorted: readonly string[], value: string, compare: (a: string, b: string) => number): boolean {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const c = compare(sorted[middle]!, value);
    if (c === 0) return true;
    if (c < 0) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

function keyOf(affected: OsvAffected): string {
  return `${affected.package!.ecosystem}\u0000${affected.package!.name}`;
}

/** "file#affected-index" → the reason its enumeration and its ranges disagree. */
const EXPLAINED: Readonly<Record<string, keyof typeof REASONS>> = {
  'pypi/ansible/PYSEC-2020-220.yaml#0': 'enumerated-at-another-time',
  'pypi/ansible/PYSEC-2020-221.yaml#0': 'enumerated-at-another-time',
  'pypi/apache-iotdb/PYSEC-2023-8.yaml#0': 'enumerated-at-another-time',
  'pypi/django/PYSEC-2023-61.yaml#0': 'pre-release-below-introduced',
  'pypi/exiv2/PYSEC-2023-150.yaml#0': 'enumerated-at-another-time',
  'pypi/gevent/PYSEC-2023-177.yaml#0': 'listed-at-or-after-fixed',
  'pypi/nautobot/PYSEC-2024-16.yaml#0': 'enumerated-at-another-time',
  'pypi/notebook/PYSEC-2020-215.yaml#0': 'enumerated-at-another-time',
  'pypi/notebook/PYSEC-2022-180.yaml#0': 'enumerated-at-another-time',
  'pypi/nvflare/PYSEC-2022-257.yaml#0': 'enumerated-at-another-time',
  'pypi/paddlepaddle/PYSEC-2022-43063.yaml#0': 'enumerated-at-another-time',
  'pypi/scrapy/PYSEC-2022-159.yaml#0': 'enumerated-at-another-time',
  'pypi/selenium/PYSEC-2023-101.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-389.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-390.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-391.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-392.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-393.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-394.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-395.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-396.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-397.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-398.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-399.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-400.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-401.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-402.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-404.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-405.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-406.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-407.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-408.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-409.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-410.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-411.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-413.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-414.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-415.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-416.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-417.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-418.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-419.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-420.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-842.yaml#0': 'enumerated-at-another-time',
  'pypi/tensorflow/PYSEC-2021-843.yaml#0': 'enumerated-at-another-time',
  'pypi/vyper/PYSEC-2023-142.yaml#0': 'enumerated-at-another-time',
  'pypi/wagtail/PYSEC-2021-114.yaml#0': 'overlapping-intervals',
};

it('range evaluation agrees with every enumerated `versions` list, and with the neighbouring unlisted versions', () => {
  const found = new Map<string, { entry: Entry; disagreements: Disagreement[] }>();
  let entries = 0;
  let listedChecked = 0;
  let unlistedChecked = 0;
  let withoutEvaluableRange = 0;
  for (const { file, record } of records) {
    (record.affected ?? []).forEach((affected, index) => {
      if (!affected.package || !affected.versions || affected.versions.length === 0) return;
      const ranges = (affected.ranges ?? []).filter((r) => r.type === 'ECOSYSTEM' || r.type === 'SEMVER');
      if (ranges.length === 0) {
        withoutEvaluableRange++;
        return;
      }
      entries++;
      const comparators = rangeComparatorsFor(affected.package.ecosystem);
      const order = comparators.ecosystem ?? comparators.semver;
      const entry: Entry = { file, affected, ranges, order };
      const disagreements: Disagreement[] = [];
      const prepared = prepareRanges({ ranges }, comparators);
      const listed = affected.versions;
      const sortedListed = [...listed].sort(order.compare);
      const isListed = (v: string): boolean => listed.includes(v) || binarySearch(sortedListed, v, order.compare);
      for (const version of listed) {
        listedChecked++;
        if (!includedInPreparedRanges(version, prepared)) disagreements.push({ version, listed: true });
      }
      // Neighbours: every other known release of the package, and each range's exclusive "fixed" bounds.
      const neighbours = new Set(listedBy.get(keyOf(affected))?.keys());
      for (const range of ranges) for (const e of range.events) if (e.fixed !== undefined) neighbours.add(e.fixed);
      for (const version of neighbours) {
        if (isListed(version)) continue;
        unlistedChecked++;
        if (includedInPreparedRanges(version, prepared)) disagreements.push({ version, listed: false });
      }
      if (disagreements.length > 0) found.set(`${file}#${index}`, { entry, disagreements });
    });
  }

  const problems: string[] = [];
  const perReason: Record<string, number> = {};
  for (const [key, { entry, disagreements }] of found) {
    const reason = EXPLAINED[key];
    for (const d of disagreements) {
      const what = `${key} ${d.version}: ${d.listed ? 'listed, but outside every range' : 'not listed, but inside a range'}`;
      if (!reason) problems.push(`${what} (unexplained)`);
      else if (!REASONS[reason].fits(d, entry)) problems.push(`${what} (does not fit "${reason}")`);
      else perReason[reason] = (perReason[reason] ?? 0) + 1;
    }
  }
  for (const key of Object.keys(EXPLAINED)) if (!found.has(key)) problems.push(`${key}: explained, but no longer disagrees`);
  process.stdout.write(`${JSON.stringify({ entries, listedChecked, unlistedChecked, withoutEvaluableRange, entriesDisagreeing: found.size, perReason })}\n`);
  assert.ok(entries > 2000, `only ${entries} entries compared`);
  assert.equal(problems.length, 0, `${problems.length} problems:\n${problems.join('\n')}`);
});
