/**
 * `npm run bench:image`: image scanning with the built CLI, as users run it, each run a child process measured by
 * /usr/bin/time (wall, peak RSS = the child's maximum resident set, user + system CPU). Prints one JSON line:
 * - images (a) Debian 12 minbase, (b) (a) + old vulnerable apt/pip/npm/Go packages, and a synthetic 1.3 GB image
 *   ((b) + 12 layers of random files, bench/synthetic-image.ts): `aspis sbom` (catalog only) and
 *   `aspis scan image` (catalog + match against the whole osv-advisories corpus), RUNS warm runs each after one
 *   cold run: wall p50/p99, MB/s of layer blobs, CPU, peak RSS;
 * - db: `aspis db import` of the whole corpus: wall, records/s, size on disk, peak RSS;
 * - match: 1,000 corpus packages matched against the warm database in process (matchPackages): p50/p99.
 * Images are built once and cached under ~/.cache/aspis/images (needs root, debootstrap, umoci, pip, npm, go).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianImage } from '../test/harness/debian-image.js';
import { ensureVulnerableImage, VULNERABLE_LAYOUT_TAG } from '../test/harness/vulnerable-image.js';
import { VulnDatabase } from '../src/store/vuln-db/vuln-database.js';
import { matchPackages } from '../src/vuln/matching/match-packages.js';
import { corpusBenchPackages } from './corpus-bench-packages.js';
import { ensureSyntheticImage } from './synthetic-image.js';
import { percentile } from './percentile.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const LARGE_RUNS = Number(process.env['BENCH_LARGE_RUNS'] ?? 2);
const MATCH_RUNS = 50;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'aspis.js');
const corpus = [resolve(root, '..', 'shared', 'corpora', 'osv-advisories'), '/work/shared/corpora/osv-advisories'].find((d) => existsSync(d));
if (!corpus) throw new Error('corpus osv-advisories not found next to the repository or in /work/shared/corpora');
const round = (n: number): number => Math.round(n * 10) / 10;

interface Measured { wallMs: number; rssMb: number; cpuMs: number; stdout: string }

/** One CLI run under /usr/bin/time: wall seconds, max RSS (KB), user and system seconds on the last stderr line. */
function timed(args: string[], cacheDir: string): Measured {
  const child = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M %U %S', process.execPath, cli, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, ASPIS_CACHE_DIR: cacheDir, NO_COLOR: '1' },
  });
  const line = child.stderr.split('\n').find((l) => l.startsWith('TIME '));
  if (!line || child.status !== 0) throw new Error(`aspis ${args.join(' ')} exited ${child.status}: ${child.stderr.slice(-2000)}`);
  const [wall, rssKb, user, system] = line.slice(5).split(' ').map(Number) as [number, number, number, number];
  return { wallMs: wall * 1000, rssMb: rssKb / 1024, cpuMs: (user + system) * 1000, stdout: child.stdout };
}

function series(runs: readonly Measured[], blobBytes: number) {
  const walls = runs.map((r) => r.wallMs);
  return {
    wallP50Ms: Math.round(percentile(walls, 50)),
    wallP99Ms: Math.round(percentile(walls, 99)),
    mbPerSecond: round(blobBytes / 1048576 / (percentile(walls, 50) / 1000)),
    cpuP50Ms: Math.round(percentile(runs.map((r) => r.cpuMs), 50)),
    peakRssMb: Math.round(Math.max(...runs.map((r) => r.rssMb))),
  };
}

function blobsOf(layout: string, tag: string): { blobBytes: number; layers: number } {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
  const manifest = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag)!;
  const parsed = JSON.parse(readFileSync(join(layout, 'blobs', 'sha256', manifest.digest.slice(7)), 'utf8')) as { layers: Array<{ size: number }> };
  return { blobBytes: parsed.layers.reduce((n, l) => n + l.size, 0), layers: parsed.layers.length };
}

const work = mkdtempSync(join(tmpdir(), 'aspis-bench-image-'));
try {
  const debian = await ensureDebianImage();
  const vulnerable = await ensureVulnerableImage();
  const synthetic = await ensureSyntheticImage();
  const cache = join(work, 'cache');
  const db = join(work, 'osv.sqlite');

  const importRun = timed(['db', 'import', corpus, '--db', db, '-o', 'json'], cache);
  const records = (JSON.parse(importRun.stdout) as { database: { records: number } }).database.records;
  const bytesOnDisk = ['', '-wal', '-shm'].reduce((n, suffix) => n + (existsSync(db + suffix) ? statSync(db + suffix).size : 0), 0);

  const images = [
    { name: 'a', reference: `oci:${debian.layout}:12`, ...blobsOf(debian.layout, '12'), runs: RUNS },
    { name: 'b', reference: `oci:${vulnerable.layout}:${VULNERABLE_LAYOUT_TAG}`, ...blobsOf(vulnerable.layout, VULNERABLE_LAYOUT_TAG), runs: RUNS },
    { name: 'synthetic', reference: synthetic.reference, blobBytes: synthetic.blobBytes, layers: synthetic.layers, runs: LARGE_RUNS },
  ];
  const imageFigures: Record<string, unknown> = {};
  for (const image of images) {
    const sbomArgs = ['sbom', image.reference, '-o', 'cyclonedx', '--output-file', join(work, 'sbom.json')];
    const scanArgs = ['scan', 'image', image.reference, '--db', db, '-o', 'json'];
    const coldScan = timed(scanArgs, cache);
    const sbom = Array.from({ length: image.runs }, () => timed(sbomArgs, cache));
    const scan = Array.from({ length: image.runs }, () => timed(scanArgs, cache));
    const report = JSON.parse(scan[0]!.stdout) as { packages: unknown[]; vulnerabilities: unknown[] };
    imageFigures[image.name] = {
      layers: image.layers,
      blobMb: round(image.blobBytes / 1048576),
      packages: report.packages.length,
      vulnerabilities: report.vulnerabilities.length,
      runs: image.runs,
      coldScanMs: Math.round(coldScan.wallMs),
      sbom: series(sbom, image.blobBytes),
      scan: series(scan, image.blobBytes),
    };
  }

  // Matching 1,000 corpus packages against the warm database, in process (what the scan does after cataloging).
  const reader = VulnDatabase.open(db);
  const packages = corpusBenchPackages(db, corpus, 1_000);
  matchPackages(reader, packages);
  const matchRuns: number[] = [];
  const matchCpu: number[] = [];
  let findings = 0;
  for (let run = 0; run < MATCH_RUNS; run++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    findings = matchPackages(reader, packages).length;
    matchRuns.push(performance.now() - started);
    const used = process.cpuUsage(cpuStarted);
    matchCpu.push((used.user + used.system) / 1000);
  }
  reader.close();

  process.stdout.write(
    `${JSON.stringify({
      bench: 'image',
      loadAverage: round(loadavg()[0]!),
      images: imageFigures,
      db: { records, importWallMs: Math.round(importRun.wallMs), recordsPerSecond: Math.round(records / (importRun.wallMs / 1000)), mbOnDisk: round(bytesOnDisk / 1048576), peakRssMb: Math.round(importRun.rssMb) },
      match: { packages: packages.length, findings, runs: MATCH_RUNS, p50Ms: round(percentile(matchRuns, 50)), p99Ms: round(percentile(matchRuns, 99)), cpuP50Ms: round(percentile(matchCpu, 50)), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) },
    })}\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
