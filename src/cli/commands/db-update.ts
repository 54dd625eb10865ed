/**
 * `aspis db update [--from URL] [--ecosystem NAME...]`: downloads OSV's per-ecosystem zip exports (or the zips
 * under --from, e.g. a mirror: <URL>/<ecosystem>/all.zip, or one .zip URL) into the database's folder, imports
 * them, and deletes them. One ecosystem failing does not stop the others; the exit code says it failed.
 */
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { downloadTo, exportUrls } from '../../store/vuln-db/download-osv-export.js';
import type { VulnDatabase } from '../../store/vuln-db/vuln-database.js';
import { importSource, type SourceImport } from './db-import.js';

export async function updateFromExports(db: VulnDatabase, from: string, ecosystems: readonly string[]): Promise<SourceImport[]> {
  const results: SourceImport[] = [];
  const downloads = join(dirname(db.path), 'downloads');
  for (const [index, url] of exportUrls(from, ecosystems).entries()) {
    const file = join(downloads, `export-${process.pid}-${index}.zip`);
    try {
      await downloadTo(url, file);
      results.push(await importSource(db, file, url));
    } catch (error) {
      results.push({ source: url, error: (error as Error).message });
    } finally {
      await rm(file, { force: true });
    }
  }
  return results;
}
