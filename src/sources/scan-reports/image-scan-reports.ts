/**
 * Image scan reports as `aspis scan image IMAGE -o json` writes them, read for `aspis netpol harden`: the image
 * (`target.name`, `target.manifestDigest`, `target.configDigest`) and each vulnerability's `id`, `aliases`,
 * `severity`, `score`, `package` and `fixedVersions`. Other fields are ignored, so reports that carry more (image
 * check findings, waivers, VEX) are read as well; a vulnerability the report marks as not applying (`waived` or
 * `suppressed` true or an object, or `vex.status` not_affected or fixed) is kept with the reason and not counted.
 *
 * A file holds one report, a JSON array of reports, or an object whose `images` is such an array (a cluster scan).
 * A problem names the file, the line and the field; a bad vulnerability is left out and the rest of its report is
 * used; a report without a usable target is left out.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { nodeAtPath } from '../../core/yaml/node-at-path.js';
import type { InputError } from '../../core/model/report.js';
import { isSeverity } from '../../core/model/severity.js';
import type { Severity } from '../../core/model/severity.js';

/** The shape the harden engine reads (src/network/harden/scanned-image-report.ts). */
export interface ReadImageReport {
  source: string;
  name: string;
  digests: string[];
  vulnerabilities: {
    id: string;
    aliases: string[];
    severity: Severity | 'unknown';
    score?: number;
    package: { ecosystem: string; name: string; version: string };
    fixedVersions: string[];
    suppressed?: string;
  }[];
}

type Path = (string | number)[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function severityOf(value: unknown): Severity | 'unknown' | undefined {
  return value === 'unknown' || isSeverity(value) ? value : undefined;
}

function formatPath(path: Path): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

const DIGEST = /^[a-z0-9]+:[a-f0-9]{32,}$/;

function suppression(entry: Record<string, unknown>): string | undefined {
  for (const field of ['waived', 'suppressed']) {
    const value = entry[field];
    if (value === true) return field;
    if (isRecord(value)) return `${field}${typeof value['reason'] === 'string' ? `: ${value['reason']}` : ''}`;
  }
  const vex = entry['vex'];
  if (isRecord(vex) && (vex['status'] === 'not_affected' || vex['status'] === 'fixed')) return `VEX ${vex['status']}`;
  return undefined;
}

/** Problems found in one file, located lazily (positions are computed only when there is a problem). */
class Problems {
  readonly list: { path: Path; message: string }[] = [];
  add(path: Path, message: string): void {
    this.list.push({ path, message });
  }
  located(file: string, text: string): InputError[] {
    if (this.list.length === 0) return [];
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
    return this.list.map(({ path, message }) => {
      const node = nodeAtPath(doc.contents, path);
      const range = node?.range;
      const at = range ? lineCounter.linePos(range[0]) : undefined;
      const field = formatPath(path);
      return { source: file, ...(at ? { line: at.line, column: at.col } : {}), ...(field ? { field } : {}), message };
    });
  }
}

function readVulnerability(value: unknown, path: Path, problems: Problems): ReadImageReport['vulnerabilities'][number] | undefined {
  if (!isRecord(value)) return problems.add(path, 'expected a vulnerability (an object); left out'), undefined;
  const fail = (field: string, message: string) => (problems.add([...path, field], `${message}; the vulnerability is left out`), undefined);
  const id = value['id'];
  if (typeof id !== 'string' || id === '') return fail('id', 'expected the vulnerability id (a string)');
  const severity = severityOf(value['severity']);
  if (!severity) return fail('severity', `expected critical, high, medium, low, info or unknown, got ${JSON.stringify(value['severity'])}`);
  const fixed = value['fixedVersions'];
  if (!Array.isArray(fixed) || fixed.some((v) => typeof v !== 'string')) return fail('fixedVersions', 'expected a list of versions (strings), empty when no fix is known');
  const pkg = value['package'];
  if (!isRecord(pkg) || typeof pkg['name'] !== 'string' || typeof pkg['version'] !== 'string') return fail('package', 'expected {ecosystem, name, version}');
  const score = value['score'];
  if (score !== undefined && typeof score !== 'number') return fail('score', 'expected a number');
  const aliases = Array.isArray(value['aliases']) ? value['aliases'].filter((a): a is string => typeof a === 'string') : [];
  const suppressed = suppression(value);
  return {
    id,
    aliases,
    severity,
    ...(typeof score === 'number' ? { score } : {}),
    package: { ecosystem: typeof pkg['ecosystem'] === 'string' ? pkg['ecosystem'] : '', name: pkg['name'], version: pkg['version'] },
    fixedVersions: fixed as string[],
    ...(suppressed ? { suppressed } : {}),
  };
}

function readReport(value: unknown, path: Path, source: string, problems: Problems): ReadImageReport | undefined {
  if (!isRecord(value)) return problems.add(path, 'expected an image scan report (an object with target and vulnerabilities)'), undefined;
  const target = value['target'];
  if (!isRecord(target) || typeof target['name'] !== 'string' || target['name'] === '') {
    return problems.add([...path, 'target', ...(isRecord(target) ? ['name'] : [])], 'expected the scanned image\'s name (a string): the report is left out'), undefined;
  }
  const digests: string[] = [];
  for (const field of ['manifestDigest', 'configDigest']) {
    const digest = target[field];
    if (digest === undefined) continue;
    if (typeof digest !== 'string' || !DIGEST.test(digest)) problems.add([...path, 'target', field], `expected a digest (algorithm:hex), got ${JSON.stringify(digest)}; not used`);
    else digests.push(digest);
  }
  const inName = /@([a-z0-9]+:[a-f0-9]{32,})$/.exec(target['name'])?.[1];
  if (inName && !digests.includes(inName)) digests.push(inName);
  const filters = value['filters'];
  if (isRecord(filters) && filters['ignoreUnfixed'] === true) {
    problems.add([...path, 'filters', 'ignoreUnfixed'], 'the scan left out vulnerabilities without a fix (--ignore-unfixed), which are those harden is for: scan again without it');
  }
  const list = value['vulnerabilities'];
  if (!Array.isArray(list)) return problems.add([...path, 'vulnerabilities'], 'expected a list of vulnerabilities: the report is left out'), undefined;
  const vulnerabilities = list.flatMap((entry, i) => readVulnerability(entry, [...path, 'vulnerabilities', i], problems) ?? []);
  return { source, name: target['name'], digests, vulnerabilities };
}

/** Reads one file's reports; problems with file, line and field. */
export function parseImageScanReports(text: string, file: string): { reports: ReadImageReport[]; errors: InputError[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { reports: [], errors: [{ source: file, message: `not a JSON image scan report (aspis scan image -o json): ${(error as Error).message}` }] };
  }
  const problems = new Problems();
  const reports: ReadImageReport[] = [];
  const list = Array.isArray(value) ? { items: value, path: [] as Path } : isRecord(value) && Array.isArray(value['images']) ? { items: value['images'], path: ['images'] as Path } : undefined;
  if (list) {
    list.items.forEach((item, i) => {
      const report = readReport(item, [...list.path, i], `${file}[${i}]`, problems);
      if (report) reports.push(report);
    });
    if (list.items.length === 0) problems.add(list.path, 'holds no image scan report');
  } else {
    const report = readReport(value, [], file, problems);
    if (report) reports.push(report);
  }
  return { reports, errors: problems.located(file, text) };
}

export async function readImageScanReports(files: readonly string[]): Promise<{ reports: ReadImageReport[]; errors: InputError[] }> {
  const reports: ReadImageReport[] = [];
  const errors: InputError[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      errors.push({ source: file, message: `cannot read the image scan report: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
      continue;
    }
    const read = parseImageScanReports(text, file);
    reports.push(...read.reports);
    errors.push(...read.errors);
  }
  return { reports, errors };
}
