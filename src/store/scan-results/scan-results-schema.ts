import type Database from 'better-sqlite3';

/**
 * The SQLite schema of the scan results store, versioned with PRAGMA user_version.
 *
 * image_scans: one row per recorded scan of an image (never updated; a newer scan is a new row). The ids only grow
 *   (AUTOINCREMENT), so a reader can load what was added since the last id it saw.
 * image_scan_vulnerabilities: the vulnerabilities of a scan at severity low or above (and those of unknown severity),
 *   one row per vulnerability and package, with the reason it is waived (a waiver, a VEX statement) when it is.
 */
export const SCAN_RESULTS_SCHEMA_VERSION = 1;

export function createScanResultsSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS image_scans (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      scanned_at TEXT NOT NULL,
      reference TEXT,
      manifest_digest TEXT,
      index_digest TEXT,
      config_digest TEXT,
      counts TEXT NOT NULL,
      aspis_version TEXT,
      db_version TEXT,
      problems INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS image_scans_by_manifest ON image_scans (manifest_digest);
    CREATE INDEX IF NOT EXISTS image_scans_by_index ON image_scans (index_digest);
    CREATE INDEX IF NOT EXISTS image_scans_by_reference ON image_scans (reference);
    CREATE TABLE IF NOT EXISTS image_scan_vulnerabilities (
      scan_id INTEGER NOT NULL REFERENCES image_scans(id) ON DELETE CASCADE,
      vulnerability_id TEXT NOT NULL,
      aliases TEXT NOT NULL,
      package TEXT NOT NULL,
      severity TEXT NOT NULL,
      waived TEXT
    );
    CREATE INDEX IF NOT EXISTS image_scan_vulnerabilities_by_scan ON image_scan_vulnerabilities (scan_id);
    CREATE INDEX IF NOT EXISTS image_scan_vulnerabilities_by_id ON image_scan_vulnerabilities (vulnerability_id);
  `);
  db.pragma(`user_version = ${SCAN_RESULTS_SCHEMA_VERSION}`);
}
