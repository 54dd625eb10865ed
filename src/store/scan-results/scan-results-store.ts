import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ImageScanRecord, RecordedSeverity, RecordedVulnerability } from './image-scan-record.js';
import { RECORDED_SEVERITIES } from './image-scan-record.js';
import { createScanResultsSchema, SCAN_RESULTS_SCHEMA_VERSION } from './scan-results-schema.js';

export class ScanResultsOpenError extends Error {}

/** Which recorded vulnerabilities to read (see scansAfter). */
export interface VulnerabilityFilter {
  readonly severities: readonly RecordedSeverity[];
  readonly withWaived: boolean;
}

interface ScanRow {
  id: number;
  scanned_at: string;
  reference: string | null;
  manifest_digest: string | null;
  index_digest: string | null;
  config_digest: string | null;
  counts: string;
  aspis_version: string | null;
  db_version: string | null;
  problems: number;
}

interface VulnerabilityRow {
  scan_id: number;
  vulnerability_id: string;
  aliases: string;
  package: string;
  severity: string;
  waived: string | null;
}

const SEVERITY_ORDER = new Map(RECORDED_SEVERITIES.map((s, i) => [s, i]));

/**
 * Where Aspis records image scan results (SQLite through better-sqlite3): written by `aspis scan image --record`,
 * read by the admission webhook's image gating. Readers opened read-only see other connections' commits; `revision()`
 * tells them cheaply whether anything changed.
 */
export class ScanResultsStore {
  private readonly statements;

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
    readonly readonly: boolean,
  ) {
    this.statements = {
      scansAfter: db.prepare<[number], ScanRow>('SELECT * FROM image_scans WHERE id > ? ORDER BY id'),
      vulnerabilitiesAfter: db.prepare<[number], VulnerabilityRow>('SELECT * FROM image_scan_vulnerabilities WHERE scan_id > ? ORDER BY scan_id, rowid'),
      extent: db.prepare<[], { scans: number; maxId: number | null }>('SELECT COUNT(*) AS scans, MAX(id) AS maxId FROM image_scans'),
      dataVersion: db.prepare<[], { data_version: number }>('PRAGMA data_version'),
    };
  }

  /** Opens the store; `create` makes it (and its folder) when missing, `readonly` never writes. */
  static open(path: string, options: { create?: boolean; readonly?: boolean } = {}): ScanResultsStore {
    if (options.create && !options.readonly) mkdirSync(dirname(path), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(path, { fileMustExist: !options.create || options.readonly === true, readonly: options.readonly === true });
    } catch (error) {
      throw new ScanResultsOpenError(
        options.create && !options.readonly
          ? `cannot open the scan results store ${path}: ${(error as Error).message}`
          : `no scan results store at ${path} (record scans with "aspis scan image IMAGE --record" first)`,
      );
    }
    try {
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version === 0 && (options.readonly || !options.create)) throw new ScanResultsOpenError(`${path} is not an Aspis scan results store`);
      if (version !== 0 && version !== SCAN_RESULTS_SCHEMA_VERSION) {
        throw new ScanResultsOpenError(`scan results store ${path} has schema ${version}, this Aspis reads ${SCAN_RESULTS_SCHEMA_VERSION}`);
      }
      if (!options.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('foreign_keys = ON');
        if (version === 0) createScanResultsSchema(db);
      }
    } catch (error) {
      db.close();
      throw error instanceof ScanResultsOpenError ? error : new ScanResultsOpenError(`${path}: ${(error as Error).message}`);
    }
    return new ScanResultsStore(path, db, options.readonly === true);
  }

  close(): void {
    this.db.close();
  }

  /** Adds one scan with its vulnerabilities (one transaction); returns the record as stored. */
  insert(scan: Omit<ImageScanRecord, 'id'>): ImageScanRecord {
    if (this.readonly) throw new Error(`the scan results store ${this.path} is open read-only`);
    const insertScan = this.db.prepare(
      `INSERT INTO image_scans (scanned_at, reference, manifest_digest, index_digest, config_digest, counts, aspis_version, db_version, problems)
       VALUES (@scannedAt, @reference, @manifestDigest, @indexDigest, @configDigest, @counts, @aspisVersion, @dbVersion, @problems)`,
    );
    const insertVulnerability = this.db.prepare('INSERT INTO image_scan_vulnerabilities (scan_id, vulnerability_id, aliases, package, severity, waived) VALUES (?, ?, ?, ?, ?, ?)');
    let id = 0;
    this.db.transaction(() => {
      const result = insertScan.run({
        scannedAt: scan.scannedAt,
        reference: scan.reference ?? null,
        manifestDigest: scan.manifestDigest ?? null,
        indexDigest: scan.indexDigest ?? null,
        configDigest: scan.configDigest ?? null,
        counts: JSON.stringify(scan.counts),
        aspisVersion: scan.aspisVersion ?? null,
        dbVersion: scan.dbVersion ?? null,
        problems: scan.problems,
      });
      id = Number(result.lastInsertRowid);
      for (const v of scan.vulnerabilities) insertVulnerability.run(id, v.id, v.aliases.join(' '), v.package, v.severity, v.waived ?? null);
    })();
    return { ...scan, id };
  }

  /**
   * Every scan recorded after the scan `afterId`, in the order recorded (0: every scan). With `only`, a scan's
   * vulnerabilities are only those of these severities (and, unless withWaived, not waived): what a reader that
   * judges by a threshold needs, read and kept without the rest.
   */
  scansAfter(afterId: number, only?: VulnerabilityFilter): ImageScanRecord[] {
    const byScan = new Map<number, RecordedVulnerability[]>();
    const rows = only ? this.filteredVulnerabilities(only).iterate(afterId, ...only.severities) : this.statements.vulnerabilitiesAfter.iterate(afterId);
    for (const row of rows) {
      let list = byScan.get(row.scan_id);
      if (!list) byScan.set(row.scan_id, (list = []));
      list.push({
        id: row.vulnerability_id,
        aliases: row.aliases === '' ? [] : row.aliases.split(' '),
        package: row.package,
        severity: row.severity as RecordedSeverity,
        ...(row.waived !== null ? { waived: row.waived } : {}),
      });
    }
    return this.statements.scansAfter.all(afterId).map((row) => ({
      id: row.id,
      scannedAt: row.scanned_at,
      ...(row.reference !== null ? { reference: row.reference } : {}),
      ...(row.manifest_digest !== null ? { manifestDigest: row.manifest_digest } : {}),
      ...(row.index_digest !== null ? { indexDigest: row.index_digest } : {}),
      ...(row.config_digest !== null ? { configDigest: row.config_digest } : {}),
      counts: JSON.parse(row.counts) as Record<RecordedSeverity, number>,
      vulnerabilities: (byScan.get(row.id) ?? []).sort((a, b) => SEVERITY_ORDER.get(a.severity)! - SEVERITY_ORDER.get(b.severity)!),
      ...(row.aspis_version !== null ? { aspisVersion: row.aspis_version } : {}),
      ...(row.db_version !== null ? { dbVersion: row.db_version } : {}),
      problems: row.problems,
    }));
  }

  private readonly filtered = new Map<string, Database.Statement<unknown[], VulnerabilityRow>>();

  private filteredVulnerabilities(only: VulnerabilityFilter): Database.Statement<unknown[], VulnerabilityRow> {
    const key = `${only.severities.join(',')}|${only.withWaived}`;
    let statement = this.filtered.get(key);
    if (!statement) {
      const severities = only.severities.map(() => '?').join(', ');
      statement = this.db.prepare<unknown[], VulnerabilityRow>(
        `SELECT * FROM image_scan_vulnerabilities WHERE scan_id > ? AND severity IN (${severities || "''"})${only.withWaived ? '' : ' AND waived IS NULL'} ORDER BY scan_id, rowid`,
      );
      this.filtered.set(key, statement);
    }
    return statement;
  }

  /** Runs reads in one transaction, so they see one consistent state of the store. */
  snapshot<T>(read: () => T): T {
    return this.db.transaction(read)();
  }

  /** How many scans there are and the newest id: a reader that sees fewer scans than it loaded reloads all. */
  extent(): { scans: number; maxId: number } {
    const row = this.statements.extent.get()!;
    return { scans: row.scans, maxId: row.maxId ?? 0 };
  }

  /** Changes when another connection commits (SQLite's data_version): one cheap read, no table scan. */
  revision(): number {
    return this.statements.dataVersion.get()!.data_version;
  }

  /** Removes the scans recorded before `before` (an ISO 8601 instant) with their vulnerabilities; returns how many. */
  pruneBefore(before: string): number {
    if (this.readonly) throw new Error(`the scan results store ${this.path} is open read-only`);
    return this.db.prepare('DELETE FROM image_scans WHERE scanned_at < ?').run(before).changes;
  }
}
