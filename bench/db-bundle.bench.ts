/**
 * `npm run bench:db-bundle`: signed database bundles on the whole osv-advisories corpus (6,974 OSV records).
 * Imports the corpus once (not measured here: bench:vuln-db does), then prints one JSON line:
 * - bundle: `db bundle` (VACUUM INTO snapshot, sha256, ed25519 signature, gzip): wall and CPU ms, database and
 *   bundle bytes;
 * - verify: `db verify` (gunzip, signature, sha256 of the streamed database) and `db import-bundle`: wall and CPU ms;
 * - offlineCheck: what every `--offline` scan does before opening an installed database (signature + sha256 of the
 *   file), RUNS times: p50/p99 ms;
 * plus peak RSS and the load average (wall times on a busy machine are inflated; CPU times much less so).
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateBundleKeyPair, loadSigningKey, loadVerifyingKey } from '../src/store/vuln-db/bundle-keys.js';
import { installBundle, verifyInstalledDatabase } from '../src/store/vuln-db/installed-bundle.js';
import { recordFiles } from '../src/store/vuln-db/osv-record-files.js';
import { parsedRecords } from '../src/store/vuln-db/parse-record-file.js';
import { readBundle } from '../src/store/vuln-db/read-bundle.js';
import { VulnDatabase } from '../src/store/vuln-db/vuln-database.js';
import { writeBundle } from '../src/store/vuln-db/write-bundle.js';
import { importRecords } from '../src/vuln/database/import-records.js';
import { percentile } from './percentile.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 20);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = [resolve(root, '..', 'shared', 'corpora', 'osv-advisories'), '/work/shared/corpora/osv-advisories'].find((d) => existsSync(d));
if (!corpus) throw new Error('corpus osv-advisories not found next to the repository or in /work/shared/corpora');

async function measured<T>(work: () => Promise<T>): Promise<{ result: T; wallMs: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const used = process.cpuUsage(cpu);
  return { result, wallMs: Math.round(performance.now() - started), cpuMs: Math.round((used.user + used.system) / 1000) };
}

const dir = mkdtempSync(join(tmpdir(), 'aspis-bench-bundle-'));
try {
  const databasePath = join(dir, 'osv.sqlite');
  const db = VulnDatabase.open(databasePath, { create: true });
  const imported = await importRecords(parsedRecords(recordFiles(corpus)), db);
  db.recordImport(corpus, new Date());
  db.checkpoint();
  db.close();

  const keys = generateBundleKeyPair();
  const bundlePath = join(dir, 'osv-bundle.tar.gz');
  const trusted = loadVerifyingKey(keys.publicKeyPem);
  const bundle = await measured(() => writeBundle(databasePath, bundlePath, loadSigningKey(keys.privateKeyPem), { createdAt: new Date(), createdBy: 'bench' }));
  const verify = await measured(() => readBundle(bundlePath, trusted));
  const installedPath = join(dir, 'installed', 'osv.sqlite');
  const install = await measured(() => installBundle(bundlePath, installedPath, trusted));
  const checks: number[] = [];
  for (let run = 0; run < RUNS; run++) checks.push((await measured(() => verifyInstalledDatabase(installedPath, trusted))).wallMs);

  process.stdout.write(
    `${JSON.stringify({
      bench: 'db-bundle',
      records: imported.records,
      databaseBytes: bundle.result.database.size,
      bundleBytes: statSync(bundlePath).size,
      bundle: { wallMs: bundle.wallMs, cpuMs: bundle.cpuMs },
      verify: { wallMs: verify.wallMs, cpuMs: verify.cpuMs },
      importBundle: { wallMs: install.wallMs, cpuMs: install.cpuMs },
      offlineCheck: { runs: RUNS, p50Ms: percentile(checks, 50), p99Ms: percentile(checks, 99) },
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    })}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
