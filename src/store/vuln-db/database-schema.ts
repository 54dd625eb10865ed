import type Database from 'better-sqlite3';

/**
 * The SQLite schema of the vulnerability database, versioned with PRAGMA user_version. A database written by an
 * older schema is rebuilt by re-importing (it is a cache of OSV data, not a source of truth).
 *
 * vulnerabilities: one row per OSV record, with the fields findings report (the record's affected[] entries are in
 *   affected; other fields are not kept).
 * affected: one row per affected[] entry with a package, keyed for lookup by (ecosystem, package); the entry as
 *   JSON and its severity, scored once at import.
 * metadata: key/value facts about the last imports (source, imported-at, counts, modified watermark).
 */
export const SCHEMA_VERSION = 1;

export function createSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS vulnerabilities (
      id TEXT PRIMARY KEY,
      modified TEXT NOT NULL,
      published TEXT,
      withdrawn TEXT,
      aliases TEXT NOT NULL,
      summary TEXT,
      details TEXT,
      refs TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS affected (
      vulnerability_id TEXT NOT NULL REFERENCES vulnerabilities(id) ON DELETE CASCADE,
      ecosystem TEXT NOT NULL,
      package TEXT NOT NULL,
      entry TEXT NOT NULL,
      severity TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS affected_by_package ON affected (ecosystem, package);
    CREATE INDEX IF NOT EXISTS affected_by_vulnerability ON affected (vulnerability_id);
    CREATE TABLE IF NOT EXISTS metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  `);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}
