/**
 * `npm run bench:vuln-db`: the vulnerability database on the whole osv-advisories corpus (6,974 OSV records:
 * PyPI YAML, Go, npm and Ubuntu JSON). Prints one JSON line:
 * - import: `aspis db import` run as users run it (child process): wall time, records/s, on-disk size, peak RSS;
 * - match: 1,000 real packages of the corpus (every ecosystem, half at a vulnerable version, half at a fixed one)
 *   matched with the matching API against the warm database, RUNS times: per-1,000 p50/p99, findings, peak RSS.
 */
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { VulnDatabase } from '../src/store/vuln-db/vuln-database.js';
import { matchPackages } from '../src/vuln/matching/match-packages.js';
import { percentile } from './percentile.js';
import { corpusBenchPackages } from './corpus-bench-packages.js';

const PACKAGES = Number(process.env['BENCH_PACKAGES'] ?? 1_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 50);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = [resolve(root, '..', 'shared', 'corpora', 'osv-advisories'), '/work/shared/corpora/osv-advisories'].find((d) => existsSync(d));
if (!corpus) throw new Error('corpus osv-advisories not found next to the repository or in /work/shared/corpora');

const dir = mkdtempSync(join(tmpdir(), 'aspis-bench-vulndb-'));
const dbPath = join(dir, 'osv.sqlite');
try {
  // Import through the CLI in a child process; the child reports its own wall time and peak RSS.
  const runner = `
    const { main } = await import(${JSON.stringify(join(root, 'src/cli/main.ts'))});
    const started = performance.now();
    const code = await main(['node', 'aspis', 'db', 'import', ${JSON.stringify(corpus)}, '--db', ${JSON.stringify(dbPath)}, '-o', 'json']);
    process.stderr.write('BENCH ' + JSON.stringify({ code, ms: performance.now() - started, maxRssKb: process.resourceUsage().maxRSS }) + '\\n');
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', runner], { encoding: 'utf8', cwd: root, maxBuffer: 1 << 28 });
  const line = child.stderr.split('\n').find((l) => l.startsWith('BENCH '));
  if (!line) throw new Error(`import failed: ${child.stderr.slice(0, 2000)}`);
  const imported = JSON.parse(line.slice(6)) as { code: number; ms: number; maxRssKb: number };
  if (imported.code !== 0) throw new Error(`import exited ${imported.code}: ${child.stderr.slice(0, 2000)}`);
  const report = JSON.parse(child.stdout) as { database: { records: number } };
  const bytesOnDisk = ['', '-wal', '-shm'].reduce((n, suffix) => n + (existsSync(dbPath + suffix) ? statSync(dbPath + suffix).size : 0), 0);

  const db = VulnDatabase.open(dbPath);
  const packages = corpusBenchPackages(dbPath, corpus, PACKAGES);
  const firstStart = performance.now();
  let findings = matchPackages(db, packages).length;
  const firstMs = performance.now() - firstStart;
  const runs: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    findings = matchPackages(db, packages).length;
    runs.push(performance.now() - started);
    const used = process.cpuUsage(cpuStarted);
    cpu.push((used.user + used.system) / 1000);
  }
  db.close();

  const round = (n: number): number => Math.round(n * 10) / 10;
  process.stdout.write(
    `${JSON.stringify({
      bench: 'vuln-db',
      loadAverage: round(loadavg()[0]!),
      corpus: 'osv-advisories',
      import: {
        records: report.database.records,
        wallMs: Math.round(imported.ms),
        recordsPerSecond: Math.round(report.database.records / (imported.ms / 1000)),
        bytesOnDisk,
        mbOnDisk: round(bytesOnDisk / 1048576),
        peakRssMb: round(imported.maxRssKb / 1024),
      },
      match: {
        packages: packages.length,
        findings,
        runs: RUNS,
        firstRunMs: round(firstMs),
        p50Ms: round(percentile(runs, 50)),
        p99Ms: round(percentile(runs, 99)),
        cpuP50Ms: round(percentile(cpu, 50)),
        perPackageP50Us: round((percentile(runs, 50) / packages.length) * 1000),
        peakRssMb: round(process.resourceUsage().maxRSS / 1024),
      },
    })}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
