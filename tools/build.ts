/**
 * `npm run build`: bundles the CLI into dist/ with esbuild instead of emitting one file per module with tsc. Each
 * thread of a scan (the main thread and every worker) loads the code itself; as ~470 separate ES modules that cost
 * ~0.25 s of CPU per thread (resolve, read, compile and link each), as a few bundled chunks much less (see
 * docs/performance.md). Type checking stays with `tsc --noEmit` (`npm test`, `npm run typecheck`): esbuild only
 * strips types.
 *
 * Dependencies stay external (`packages: 'external'`): they load from node_modules as before, so native modules
 * (better-sqlite3) and packages that read their own files keep working. Code shared by the entry points goes to
 * dist/chunks/ (`splitting`), and the commands main.ts imports lazily stay lazy (each its own chunk).
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every module something loads by its path in dist/ must stay an entry point, at the path it had. */
export const ENTRY_POINTS = [
  'src/cli/bin.ts', // bin/aspis.js
  'src/cli/main.ts', // benches import { main } from dist/cli/main.js
  'src/cli/scan/scan-worker.ts', // started by path as a worker thread (src/cli/scan/scan-workers.ts)
  'src/network/index.ts', // bench/netpol-reach.ts measures the engine as built
];

/** Replaces `outdir` with the bundle (stale files of an earlier layout would otherwise linger). */
export async function buildCli(outdir: string): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: ENTRY_POINTS,
    outbase: 'src',
    outdir,
    entryNames: '[dir]/[name]',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    splitting: true,
    packages: 'external',
    // Stack traces map back to src/ under `node --enable-source-maps`; without that flag Node ignores the maps.
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildCli(join(ROOT, 'dist'));
}
