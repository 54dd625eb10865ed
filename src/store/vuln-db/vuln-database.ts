import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createSchema, SCHEMA_VERSION } from './database-schema.js';

/** Row shapes of the vulnerability engine's storage port (src/vuln/database/vulnerability-store.ts), by structure. */
interface AffectedRow {
  readonly ecosystem: string;
  readonly package: string;
  readonly entry: string;
  readonly severity: string;
}
interface VulnerabilityRow {
  readonly id: string;
  readonly modified: string;
  readonly published: string | null;
  readonly withdrawn: string | null;
  readonly aliases: string;
  readonly summary: string | null;
  readonly details: string | null;
  readonly refs: string;
}

export interface DatabaseMetadata {
  readonly path: string;
  readonly source?: string;
  readonly importedAt?: string;
  /** The newest `modified` of any stored record: where an incremental update would start. */
  readonly modifiedWatermark?: string;
  readonly records: number;
  readonly withdrawn: number;
  /** Records per ecosystem as the records write it ("Debian:12", "PyPI"…). */
  readonly recordsPerEcosystem: Readonly<Record<string, number>>;
}

export class DatabaseOpenError extends Error {}

/**
 * The OSV vulnerability database in SQLite (better-sqlite3): records, their affected entries indexed by
 * (ecosystem, package), and metadata. It implements the engine's VulnerabilityWriter and VulnerabilityReader.
 */
export class VulnDatabase {
  private readonly statements;
  /** Writes through this connection (SQLite's data_version counts only other connections' commits). */
  private writes = 0;

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
  ) {
    this.statements = {
      existing: db.prepare<[string], { modified: string }>('SELECT modified FROM vulnerabilities WHERE id = ?'),
      deleteAffected: db.prepare<[string]>('DELETE FROM affected WHERE vulnerability_id = ?'),
      upsert: db.prepare<[VulnerabilityRow]>(
        `INSERT INTO vulnerabilities (id, modified, published, withdrawn, aliases, summary, details, refs)
         VALUES (@id, @modified, @published, @withdrawn, @aliases, @summary, @details, @refs)
         ON CONFLICT(id) DO UPDATE SET modified = excluded.modified, published = excluded.published,
           withdrawn = excluded.withdrawn, aliases = excluded.aliases, summary = excluded.summary,
           details = excluded.details, refs = excluded.refs`,
      ),
      insertAffected: db.prepare<[string, string, string, string, string]>(
        'INSERT INTO affected (vulnerability_id, ecosystem, package, entry, severity) VALUES (?, ?, ?, ?, ?)',
      ),
      affectedRows: db.prepare<[string, string], { vulnerabilityId: string; ecosystem: string; package: string; entry: string; severity: string }>(
        'SELECT vulnerability_id AS vulnerabilityId, ecosystem, package, entry, severity FROM affected WHERE ecosystem = ? AND package = ?',
      ),
      vulnerabilityRow: db.prepare<[string], { id: string; withdrawn: string | null; aliases: string; summary: string | null; details: string | null; refs: string }>(
        'SELECT id, withdrawn, aliases, summary, details, refs FROM vulnerabilities WHERE id = ?',
      ),
      setMetadata: db.prepare<[string, string]>('INSERT INTO metadata (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      metadata: db.prepare<[], { key: string; value: string }>('SELECT key, value FROM metadata'),
      dataVersion: db.prepare<[], { data_version: number }>('PRAGMA data_version'),
    };
  }

  /** Opens the database file; with create, creates it (and its folder) when missing. */
  static open(path: string, options: { create?: boolean } = {}): VulnDatabase {
    if (options.create) mkdirSync(dirname(path), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(path, { fileMustExist: !options.create });
    } catch (error) {
      throw new DatabaseOpenError(
        options.create
          ? `cannot open vulnerability database ${path}: ${(error as Error).message}`
          : `no vulnerability database at ${path} (run "aspis db import" or "aspis db update" first)`,
      );
    }
    try {
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version === 0 && !options.create) throw new DatabaseOpenError(`${path} is not an Aspis vulnerability database`);
      if (version !== 0 && version !== SCHEMA_VERSION) {
        throw new DatabaseOpenError(`vulnerability database ${path} has schema ${version}, this Aspis reads ${SCHEMA_VERSION}: delete it and import again`);
      }
      db.pragma('journal_mode = WAL');
      if (version === 0) createSchema(db);
    } catch (error) {
      db.close();
      throw error instanceof DatabaseOpenError ? error : new DatabaseOpenError(`${path}: ${(error as Error).message}`);
    }
    return new VulnDatabase(path, db);
  }

  close(): void {
    this.db.close();
  }

  transaction(work: () => void): void {
    this.db.transaction(work)();
  }

  store(vulnerability: VulnerabilityRow, affected: readonly AffectedRow[]): 'added' | 'replaced' | 'kept-newer' {
    const existing = this.statements.existing.get(vulnerability.id);
    if (existing && existing.modified > vulnerability.modified) return 'kept-newer';
    this.writes++;
    if (existing) this.statements.deleteAffected.run(vulnerability.id);
    this.statements.upsert.run(vulnerability);
    for (const row of affected) this.statements.insertAffected.run(vulnerability.id, row.ecosystem, row.package, row.entry, row.severity);
    return existing ? 'replaced' : 'added';
  }

  affectedRows(ecosystem: string, packageName: string): Array<AffectedRow & { vulnerabilityId: string }> {
    return this.statements.affectedRows.all(ecosystem, packageName);
  }

  revision(): string {
    return `${this.statements.dataVersion.get()!.data_version}:${this.writes}`;
  }

  vulnerabilityRow(id: string): { id: string; withdrawn: string | null; aliases: string; summary: string | null; details: string | null; refs: string } | undefined {
    return this.statements.vulnerabilityRow.get(id);
  }

  /** Records the facts of an import: source, time, counts per ecosystem, modified watermark. */
  recordImport(source: string, importedAt: Date): void {
    const counts = this.db
      .prepare<[], { ecosystem: string; records: number }>(
        'SELECT ecosystem, COUNT(DISTINCT vulnerability_id) AS records FROM affected GROUP BY ecosystem ORDER BY ecosystem',
      )
      .all();
    const watermark = this.db.prepare<[], { m: string | null }>('SELECT MAX(modified) AS m FROM vulnerabilities').get()?.m;
    this.transaction(() => {
      this.statements.setMetadata.run('source', source);
      this.statements.setMetadata.run('imported_at', importedAt.toISOString());
      this.statements.setMetadata.run('records_per_ecosystem', JSON.stringify(Object.fromEntries(counts.map((c) => [c.ecosystem, c.records]))));
      if (watermark) this.statements.setMetadata.run('modified_watermark', watermark);
    });
  }

  metadata(): DatabaseMetadata {
    const values = new Map(this.statements.metadata.all().map((row) => [row.key, row.value]));
    const totals = this.db
      .prepare<[], { records: number; withdrawn: number }>('SELECT COUNT(*) AS records, COUNT(withdrawn) AS withdrawn FROM vulnerabilities')
      .get()!;
    return {
      path: this.path,
      ...(values.has('source') ? { source: values.get('source')! } : {}),
      ...(values.has('imported_at') ? { importedAt: values.get('imported_at')! } : {}),
      ...(values.has('modified_watermark') ? { modifiedWatermark: values.get('modified_watermark')! } : {}),
      records: totals.records,
      withdrawn: totals.withdrawn,
      recordsPerEcosystem: JSON.parse(values.get('records_per_ecosystem') ?? '{}') as Record<string, number>,
    };
  }

  /** Folds the write-ahead log into the database file (after an import), so the file alone is the database. */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }
}
