/** Packages for matching benchmarks, taken from the osv-advisories corpus and the database imported from it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VulnDatabase } from '../src/store/vuln-db/vuln-database.js';
import type { PackageQuery } from '../src/vuln/matching/package-query.js';
import type { OsvAffected } from '../src/vuln/osv/osv-record.js';

/**
 * `count` real (ecosystem, package) pairs of the database, ecosystems interleaved, each at a version its first
 * record says is vulnerable (even positions) or at that record's fix (odd positions).
 */
export function corpusBenchPackages(path: string, corpus: string, count: number): PackageQuery[] {
  const db = VulnDatabase.open(path);
  const byEcosystem = new Map<string, PackageQuery[]>();
  const index = readFileSync(join(corpus, 'index.csv'), 'utf8').trim().split('\n').slice(1);
  const seen = new Set<string>();
  for (const row of index) {
    const [, ecosystem, name] = row.split(',');
    const key = `${ecosystem}\u0000${name}`;
    if (!ecosystem || !name || seen.has(key)) continue;
    seen.add(key);
    const base = ecosystem.split(':')[0]!;
    const normalized = base === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
    const rows = db.affectedRows(ecosystem, normalized);
    const entry = rows[0] ? (JSON.parse(rows[0].entry) as OsvAffected) : undefined;
    const events = entry?.ranges?.find((r) => r.type !== 'GIT')?.events ?? [];
    const vulnerable = entry?.versions?.[0] ?? events.find((e) => e.introduced && e.introduced !== '0')?.introduced ?? events.find((e) => e.fixed)?.fixed;
    const fixed = events.find((e) => e.fixed)?.fixed ?? vulnerable;
    if (!vulnerable || !fixed) continue;
    const release = /^Ubuntu:(?:Pro:)?([\d.]+)/.exec(ecosystem)?.[1];
    const list = byEcosystem.get(base) ?? [];
    list.push({ ecosystem: base, name, version: seen.size % 2 === 0 ? vulnerable : fixed, ...(release ? { distroRelease: release } : {}) });
    byEcosystem.set(base, list);
  }
  db.close();
  const lists = [...byEcosystem.values()];
  const out: PackageQuery[] = [];
  for (let i = 0; out.length < count && lists.some((l) => i < l.length); i++) for (const list of lists) if (i < list.length && out.length < count) out.push(list[i]!);
  return out;
}
