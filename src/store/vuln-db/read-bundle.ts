/**
 * Reads and verifies a signed database bundle (format: bundle-format.ts) in one streaming pass: the metadata's
 * format, its ed25519 signature with the trusted key, the schema version, then the database's size and sha256.
 * With `extractTo`, the database is written to a temporary file beside it and renamed into place only when every
 * check passed: a bad bundle leaves nothing behind.
 */
import { createHash, verify, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import {
  BundleError,
  bundleMetadataJson,
  DATABASE_ENTRY,
  METADATA_ENTRY,
  METADATA_MAX_BYTES,
  parseBundleMetadata,
  SIGNATURE_BYTES,
  SIGNATURE_ENTRY,
  type BundleMetadata,
} from './bundle-format.js';
import { keyId } from './bundle-keys.js';
import { SCHEMA_VERSION } from './database-schema.js';

export interface VerifiedBundle {
  readonly metadata: BundleMetadata;
  /** The exact signed bytes and their signature, kept beside an installed database (installed-bundle.ts). */
  readonly metadataBytes: Buffer;
  readonly signature: Buffer;
}

export interface ReadBundleOptions {
  /** Write the verified database here (replacing what is there). */
  readonly extractTo?: string;
  /** Stop after the signed metadata: the database entry is neither read nor checked. */
  readonly metadataOnly?: boolean;
}

const EXPECTED = [METADATA_ENTRY, SIGNATURE_ENTRY, DATABASE_ENTRY] as const;

export async function readBundle(file: string, trustedKey: KeyObject, options: ReadBundleOptions = {}): Promise<VerifiedBundle> {
  const extract = tar.extract();
  const reading = pipeline(createReadStream(file), createGunzip(), extract).catch((error: unknown) => error as Error);
  const partial = options.extractTo ? `${options.extractTo}.${process.pid}.tmp` : undefined;
  let metadataBytes: Buffer | undefined;
  let signature: Buffer | undefined;
  let verified: BundleMetadata | undefined;
  let database: { size: number; sha256: string } | undefined;
  let index = 0;
  try {
    try {
      for await (const entry of extract) {
        const name = entry.header.name;
        if (index >= EXPECTED.length) throw new BundleError(`${file}: unexpected entry ${name} after ${DATABASE_ENTRY}`);
        if (name !== EXPECTED[index] || entry.header.type !== 'file') {
          throw new BundleError(`${file}: entry ${index + 1} is ${entry.header.type} ${name}, expected file ${EXPECTED[index]}`);
        }
        index++;
        if (name === METADATA_ENTRY) {
          metadataBytes = await readSmall(entry, METADATA_MAX_BYTES, `${file}: ${METADATA_ENTRY}`);
        } else if (name === SIGNATURE_ENTRY) {
          signature = await readSmall(entry, SIGNATURE_BYTES, `${file}: ${SIGNATURE_ENTRY}`);
          verified = verifySignedMetadata(metadataBytes!, signature, trustedKey, file);
          if (options.metadataOnly) break;
        } else {
          database = await hashEntry(entry, partial);
        }
      }
    } catch (error) {
      // A gzip or tar error reaches the iterator as the error the pipeline destroyed it with.
      if (error instanceof BundleError) throw error;
      throw streamError(file, error as Error);
    }
    if (options.metadataOnly && verified) {
      extract.destroy();
      await reading; // the premature close this causes is expected
      return { metadata: verified, metadataBytes: metadataBytes!, signature: signature! };
    }
    const failure = await reading;
    if (failure) throw streamError(file, failure);
    if (!verified || !database) throw new BundleError(`${file}: truncated bundle: ${EXPECTED[index]} is missing`);
    const expected = verified.database;
    if (database.size !== expected.size) {
      throw new BundleError(`${file}: ${DATABASE_ENTRY} is ${database.size} bytes, the signed metadata says ${expected.size}`);
    }
    if (database.sha256 !== expected.sha256) {
      throw new BundleError(`${file}: ${DATABASE_ENTRY} has sha256 ${database.sha256}, the signed metadata says ${expected.sha256}: the database was changed after signing`);
    }
    if (partial && options.extractTo) await rename(partial, options.extractTo);
    return { metadata: verified, metadataBytes: metadataBytes!, signature: signature! };
  } finally {
    extract.destroy();
    await reading;
    if (partial) await rm(partial, { force: true });
  }
}

/**
 * The signed metadata, verified: the format this Aspis reads, a valid signature by the trusted key, and the schema
 * this Aspis reads. `where` names the bundle (or installed database) in errors.
 */
export function verifySignedMetadata(metadataBytes: Buffer, signature: Buffer, trustedKey: KeyObject, where: string): BundleMetadata {
  const json = bundleMetadataJson(metadataBytes, where);
  const trusted = keyId(trustedKey);
  if (signature.length !== SIGNATURE_BYTES || !verify(null, metadataBytes, trustedKey, signature)) {
    const claimed = typeof json.keyId === 'string' ? json.keyId : undefined;
    throw new BundleError(
      claimed && claimed !== trusted
        ? `${where}: signature does not verify with the trusted key ${trusted}: the bundle names signing key ${claimed} (wrong --bundle-key/--key?)`
        : `${where}: signature does not verify with the trusted key ${trusted}: the metadata or signature was changed after signing`,
    );
  }
  const metadata = parseBundleMetadata(json, where);
  if (metadata.schemaVersion !== SCHEMA_VERSION) {
    throw new BundleError(`${where}: the bundled database has schema ${metadata.schemaVersion}, this Aspis reads schema ${SCHEMA_VERSION}: make the bundle with this Aspis release`);
  }
  return metadata;
}

async function readSmall(entry: AsyncIterable<unknown> & { header: { size?: number } }, limit: number, where: string): Promise<Buffer> {
  if ((entry.header.size ?? 0) > limit) throw new BundleError(`${where}: ${entry.header.size} bytes, at most ${limit} expected`);
  const chunks: Buffer[] = [];
  for await (const chunk of entry) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function hashEntry(entry: AsyncIterable<unknown>, partial: string | undefined): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  const out = partial ? await open(partial, 'w', 0o644) : undefined;
  try {
    for await (const data of entry) {
      const chunk = data as Buffer;
      hash.update(chunk);
      size += chunk.length;
      if (out) await out.write(chunk);
    }
  } finally {
    await out?.close();
  }
  return { size, sha256: hash.digest('hex') };
}

function streamError(file: string, error: Error): BundleError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new BundleError(`${file}: no such file`);
  if (code === 'Z_DATA_ERROR') return new BundleError(`${file}: not a gzip-compressed Aspis bundle, or corrupt (${error.message})`);
  if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(error.message)) return new BundleError(`${file}: truncated bundle (${error.message})`);
  return new BundleError(`${file}: unreadable bundle: ${error.message}`);
}
