/**
 * The `db` command group: the OSV vulnerability database (docs/vulnerability-database.md).
 *   aspis db import PATH...     records from directories, zips or files
 *   aspis db update             OSV's per-ecosystem exports (or --from a mirror)
 *   aspis db status             what the database holds
 *   aspis db keygen|bundle|verify|import-bundle   signed bundles for offline use (db-bundle.ts)
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { defaultDatabasePath } from '../../store/vuln-db/default-database-path.js';
import { DEFAULT_UPDATE_ECOSYSTEMS, OSV_EXPORT_BASE } from '../../store/vuln-db/download-osv-export.js';
import { installedBundleClaim } from '../../store/vuln-db/installed-bundle.js';
import { VulnDatabase } from '../../store/vuln-db/vuln-database.js';
import { EXIT } from '../exit-codes.js';
import { registerDbBundle } from './db-bundle.js';
import { importErrors, importReport, importSource, type SourceImport } from './db-import.js';
import { updateFromExports } from './db-update.js';

interface DbOptions {
  db?: string;
  output: 'text' | 'json';
}

const dbOption = (): Option =>
  new Option('--db <file>', 'vulnerability database file (default: $ASPIS_VULN_DB or ~/.cache/aspis/db/osv.sqlite)');
const outputOption = (): Option => new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text');

function finish(db: VulnDatabase, results: readonly SourceImport[], options: DbOptions, source: string, env: { setExitCode(code: number): void }): void {
  if (results.some((r) => r.summary && r.summary.records > 0)) {
    db.recordImport(source, new Date());
    db.checkpoint();
  }
  const errors = importErrors(results);
  for (const line of errors) process.stderr.write(`aspis: ${line}\n`);
  if (options.output === 'json') {
    process.stdout.write(`${JSON.stringify({ database: db.metadata(), sources: results }, null, 2)}\n`);
  } else {
    process.stdout.write(importReport(results, db.path));
  }
  env.setExitCode(errors.length > 0 ? EXIT.error : EXIT.ok);
}

export function registerDb(program: Command, env: { version: string; setExitCode(code: number): void }): void {
  const group = program.command('db').description('manage the OSV vulnerability database');

  group
    .command('import')
    .description('import OSV records (JSON or YAML) from directories, zip archives or files')
    .argument('<path...>', 'directory, .zip archive or record file')
    .addOption(dbOption())
    .addOption(outputOption())
    .action(async (paths: string[], options: DbOptions) => {
      const db = VulnDatabase.open(options.db ?? defaultDatabasePath(), { create: true });
      try {
        const results: SourceImport[] = [];
        for (const path of paths) results.push(await importSource(db, path));
        finish(db, results, options, paths.join(' '), env);
      } finally {
        db.close();
      }
    });

  group
    .command('update')
    .description("download and import OSV's per-ecosystem zip exports")
    .option('--from <url>', `base URL of <ecosystem>/all.zip exports, or one .zip URL`, OSV_EXPORT_BASE)
    .addOption(
      new Option('--ecosystem <name...>', `ecosystems to download (default: ${DEFAULT_UPDATE_ECOSYSTEMS.join(', ')})`),
    )
    .addOption(dbOption())
    .addOption(outputOption())
    .action(async (options: DbOptions & { from: string; ecosystem?: string[] }) => {
      const db = VulnDatabase.open(options.db ?? defaultDatabasePath(), { create: true });
      try {
        const results = await updateFromExports(db, options.from, options.ecosystem ?? DEFAULT_UPDATE_ECOSYSTEMS);
        finish(db, results, options, options.from, env);
      } finally {
        db.close();
      }
    });

  group
    .command('status')
    .description('show what the vulnerability database holds')
    .addOption(dbOption())
    .addOption(outputOption())
    .action((options: DbOptions) => {
      const db = VulnDatabase.open(options.db ?? defaultDatabasePath());
      try {
        const meta = db.metadata();
        const bundle = installedBundleClaim(meta.path);
        if (options.output === 'json') {
          process.stdout.write(`${JSON.stringify(bundle ? { ...meta, bundle } : meta, null, 2)}\n`);
        } else {
          const lines = [
            `database: ${meta.path}`,
            `source: ${meta.source ?? '(none)'}`,
            `imported at: ${meta.importedAt ?? '(never)'}`,
            `modified watermark: ${meta.modifiedWatermark ?? '(none)'}`,
            `records: ${meta.records} (${meta.withdrawn} withdrawn)`,
            ...Object.entries(meta.recordsPerEcosystem).map(([ecosystem, n]) => `  ${ecosystem}: ${n}`),
            ...(bundle
              ? [`installed from bundle: created ${bundle.createdAt} by ${bundle.createdBy}, signing key ${bundle.keyId} (checked by --offline, not here)`]
              : []),
          ];
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        env.setExitCode(EXIT.ok);
      } finally {
        db.close();
      }
    });

  registerDbBundle(group, env);
}
