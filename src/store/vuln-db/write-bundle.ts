/**
 * Writes a signed database bundle (format: bundle-format.ts) from a vulnerability database: a consistent, compact
 * snapshot of the database (VACUUM INTO, so an import running meanwhile is either wholly in or wholly out), its
 * metadata signed with ed25519, all in one .tar.gz written to a temporary name and renamed into place.
 */
import Database from 'better-sqlite3';
import { createPublicKey, sign, type KeyObject } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, BundleError, DATABASE_ENTRY, METADATA_ENTRY, SIGNATURE_ENTRY, type BundleMetadata } from './bundle-format.js';
import { keyId } from './bundle-keys.js';
import { fileSha256 } from './file-sha256.js';
import { SCHEMA_VERSION } from './database-schema.js';
import { VulnDatabase } from './vuln-database.js';

export interface WriteBundleOptions {
  readonly createdAt: Date;
  /** "aspis 0.1.0": who wrote the bundle. */
  readonly createdBy: string;
}

export async function writeBundle(databasePath: string, output: string, signingKey: KeyObject, options: WriteBundleOptions): Promise<BundleMetadata> {
  // Opening through VulnDatabase first gives its clear errors for a missing database or another schema.
  VulnDatabase.open(databasePath).close();
  const snapshot = `${output}.${process.pid}.sqlite.tmp`;
  const partial = `${output}.${process.pid}.tmp`;
  try {
    await rm(snapshot, { force: true });
    // Read-write (VACUUM INTO only reads it) so closing removes the WAL files a read-only connection leaves behind.
    const source = new Database(databasePath, { fileMustExist: true });
    try {
      source.prepare('VACUUM INTO ?').run(snapshot);
    } catch (error) {
      throw new BundleError(`${output}: cannot write the database snapshot ${snapshot}: ${(error as Error).message}`);
    } finally {
      source.close();
    }
    // VulnDatabase.open switches a database to WAL mode, which rewrites the file header; doing it here, before the
    // hash, keeps an installed bundle byte-identical when scans open it later.
    const copy = VulnDatabase.open(snapshot);
    const facts = copy.metadata();
    copy.close();
    const size = statSync(snapshot).size;
    const sha256 = await fileSha256(snapshot);
    const metadata: BundleMetadata = {
      format: BUNDLE_FORMAT,
      formatVersion: BUNDLE_FORMAT_VERSION,
      schemaVersion: SCHEMA_VERSION,
      createdAt: options.createdAt.toISOString(),
      createdBy: options.createdBy,
      ...(facts.source !== undefined ? { source: facts.source } : {}),
      ...(facts.importedAt !== undefined ? { importedAt: facts.importedAt } : {}),
      ...(facts.modifiedWatermark !== undefined ? { modifiedWatermark: facts.modifiedWatermark } : {}),
      records: facts.records,
      withdrawn: facts.withdrawn,
      recordsPerEcosystem: facts.recordsPerEcosystem,
      database: { name: DATABASE_ENTRY, size, sha256 },
      keyId: keyId(createPublicKey(signingKey)),
    };
    const metadataBytes = Buffer.from(`${JSON.stringify(metadata, null, 2)}\n`);
    const signature = sign(null, metadataBytes, signingKey);
    await writeArchive(partial, [
      { name: METADATA_ENTRY, bytes: metadataBytes },
      { name: SIGNATURE_ENTRY, bytes: signature },
      { name: DATABASE_ENTRY, file: snapshot, size },
    ], options.createdAt);
    await rename(partial, output);
    return metadata;
  } finally {
    await rm(snapshot, { force: true });
    await rm(partial, { force: true });
  }
}

type ArchiveEntry = { name: string; bytes: Buffer } | { name: string; file: string; size: number };

async function writeArchive(path: string, entries: readonly ArchiveEntry[], mtime: Date): Promise<void> {
  const pack = tar.pack();
  const written = pipeline(pack, createGzip(), createWriteStream(path, { mode: 0o644 }));
  for (const entry of entries) {
    const header = { name: entry.name, mode: 0o644, mtime };
    if ('bytes' in entry) {
      await new Promise<void>((resolve, reject) => pack.entry(header, entry.bytes, (error) => (error ? reject(error) : resolve())));
    } else {
      const sink = pack.entry({ ...header, size: entry.size });
      await pipeline(createReadStream(entry.file, { highWaterMark: 1 << 20 }), sink);
    }
  }
  pack.finalize();
  await written;
}
