/**
 * A database installed from a signed bundle: the database file plus, beside it, the bundle's signed metadata and
 * signature, byte for byte (<db>.bundle.json and <db>.bundle.json.sig). That lets `--offline` prove later, with
 * the trusted key alone, that the file is still exactly what was signed: signature, then size and sha256.
 */
import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BundleError, type BundleMetadata } from './bundle-format.js';
import { fileSha256 } from './file-sha256.js';
import { readBundle, verifySignedMetadata } from './read-bundle.js';

export function installedBundleFiles(databasePath: string): { metadata: string; signature: string } {
  return { metadata: `${databasePath}.bundle.json`, signature: `${databasePath}.bundle.json.sig` };
}

/** Verifies the bundle and installs its database at databasePath; nothing changes there unless every check passes. */
export async function installBundle(bundleFile: string, databasePath: string, trustedKey: KeyObject): Promise<BundleMetadata> {
  await mkdir(dirname(databasePath), { recursive: true });
  const incoming = `${databasePath}.incoming-${process.pid}`;
  try {
    const bundle = await readBundle(bundleFile, trustedKey, { extractTo: incoming });
    const sidecars = installedBundleFiles(databasePath);
    // Old provenance goes first (a crash midway leaves a database --offline refuses, never a wrongly trusted one),
    // and so do the old database's WAL files, which SQLite would otherwise replay into the new file.
    await rm(sidecars.metadata, { force: true });
    await rm(sidecars.signature, { force: true });
    await rm(`${databasePath}-wal`, { force: true });
    await rm(`${databasePath}-shm`, { force: true });
    await rename(incoming, databasePath);
    await writeAtomically(sidecars.signature, bundle.signature);
    await writeAtomically(sidecars.metadata, bundle.metadataBytes);
    return bundle.metadata;
  } finally {
    await rm(incoming, { force: true });
  }
}

/**
 * Proves databasePath is the database of a bundle signed by the trusted key, unchanged since: an error says why
 * not (never installed from a bundle, signature, changed by an import, pending WAL changes).
 */
export async function verifyInstalledDatabase(databasePath: string, trustedKey: KeyObject): Promise<BundleMetadata> {
  const sidecars = installedBundleFiles(databasePath);
  if (!existsSync(databasePath)) throw new BundleError(`no vulnerability database at ${databasePath} (install a bundle with "aspis db import-bundle", or pass --bundle FILE)`);
  if (!existsSync(sidecars.metadata) || !existsSync(sidecars.signature)) {
    throw new BundleError(
      `${databasePath} was not installed from a signed bundle (no ${sidecars.metadata}): install one with "aspis db import-bundle", or pass --bundle FILE`,
    );
  }
  const metadata = verifySignedMetadata(readFileSync(sidecars.metadata), readFileSync(sidecars.signature), trustedKey, databasePath);
  const wal = `${databasePath}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) {
    throw new BundleError(`${databasePath}: has changes that are not in the signed bundle (${wal} is not empty): install the bundle again`);
  }
  const size = statSync(databasePath).size;
  const sha256 = size === metadata.database.size ? await fileSha256(databasePath) : undefined;
  if (sha256 !== metadata.database.sha256) {
    throw new BundleError(
      `${databasePath}: changed since it was installed from the signed bundle (${sha256 ? `sha256 ${sha256}` : `${size} bytes`}, signed: ${metadata.database.size} bytes, sha256 ${metadata.database.sha256}; "aspis db import" or "db update" changes it): install the bundle again`,
    );
  }
  return metadata;
}

/**
 * What the metadata beside an installed database says, unverified (no key at hand): for `db status`. Undefined when
 * the database was not installed from a bundle or the file is unreadable.
 */
export function installedBundleClaim(databasePath: string): { createdAt: string; createdBy: string; keyId: string; sha256: string } | undefined {
  try {
    const json = JSON.parse(readFileSync(installedBundleFiles(databasePath).metadata, 'utf8')) as Record<string, unknown>;
    const database = json.database as { sha256?: unknown } | undefined;
    const fields = [json.createdAt, json.createdBy, json.keyId, database?.sha256];
    if (!fields.every((f) => typeof f === 'string')) return undefined;
    const [createdAt, createdBy, keyId, sha256] = fields as string[];
    return { createdAt: createdAt!, createdBy: createdBy!, keyId: keyId!, sha256: sha256! };
  } catch {
    return undefined;
  }
}

async function writeAtomically(path: string, bytes: Buffer): Promise<void> {
  const partial = `${path}.${process.pid}.tmp`;
  await writeFile(partial, bytes);
  await rename(partial, path);
}
