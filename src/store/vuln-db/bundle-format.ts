/**
 * The signed vulnerability database bundle (`aspis db bundle`), format version 1: a gzip-compressed tar archive
 * with exactly three entries, in this order, so a reader can check the signature before it reads the database:
 *
 *   aspis-bundle.json       the metadata below, UTF-8 JSON; these exact bytes are what is signed
 *   aspis-bundle.json.sig   the raw 64-byte ed25519 signature of aspis-bundle.json
 *   osv.sqlite              the SQLite database (schema SCHEMA_VERSION), whose size and sha256 the metadata gives
 *
 * Anyone can check a bundle without Aspis:
 *   tar -xzf B && openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in aspis-bundle.json -sigfile aspis-bundle.json.sig
 *   sha256sum osv.sqlite     (equals database.sha256)
 */
import { z } from 'zod';

export const BUNDLE_FORMAT = 'aspis-vulnerability-database-bundle';
export const BUNDLE_FORMAT_VERSION = 1;
export const METADATA_ENTRY = 'aspis-bundle.json';
export const SIGNATURE_ENTRY = 'aspis-bundle.json.sig';
export const DATABASE_ENTRY = 'osv.sqlite';
/** The metadata is small; anything bigger is not a bundle this Aspis wrote. */
export const METADATA_MAX_BYTES = 1 << 20;
export const SIGNATURE_BYTES = 64;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

/** Only the fields that tell which format to read; checked before the rest so a newer bundle gets a clear error. */
const formatHeader = z.object({ format: z.literal(BUNDLE_FORMAT), formatVersion: z.number().int().positive() });

const bundleMetadata = z.object({
  format: z.literal(BUNDLE_FORMAT),
  formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
  /** The SQLite schema version of the database (src/store/vuln-db/database-schema.ts). */
  schemaVersion: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  /** Where the database's records came from (`aspis db import|update` sources) and when they were imported. */
  source: z.string().optional(),
  importedAt: z.string().optional(),
  modifiedWatermark: z.string().optional(),
  records: z.number().int().nonnegative(),
  withdrawn: z.number().int().nonnegative(),
  recordsPerEcosystem: z.record(z.string(), z.number().int().nonnegative()),
  database: z.object({ name: z.literal(DATABASE_ENTRY), size: z.number().int().nonnegative(), sha256: sha256Hex }),
  /** sha256 of the signing key's public key (SPKI DER), so a wrong-key error can name both keys. */
  keyId: z.string(),
});

export type BundleMetadata = z.infer<typeof bundleMetadata>;

export class BundleError extends Error {}

/**
 * The metadata entry's JSON once its format is known to be one this Aspis reads: not JSON, another format, or a
 * newer format version is a BundleError. Checked before the signature, so a newer bundle gets that clear error.
 */
export function bundleMetadataJson(bytes: Buffer, where: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new BundleError(`${where}: ${METADATA_ENTRY}: invalid JSON: ${(error as Error).message}`);
  }
  const header = formatHeader.safeParse(json);
  if (!header.success) throw new BundleError(`${where}: ${METADATA_ENTRY}: not an Aspis database bundle (${fieldProblems(header.error)})`);
  if (header.data.formatVersion !== BUNDLE_FORMAT_VERSION) {
    throw new BundleError(
      `${where}: bundle format version ${header.data.formatVersion}, this Aspis reads version ${BUNDLE_FORMAT_VERSION}: use the Aspis release that wrote it, or a newer one`,
    );
  }
  return json as Record<string, unknown>;
}

/** The metadata's fields, after its signature was verified; a missing or malformed field is a BundleError. */
export function parseBundleMetadata(json: Record<string, unknown>, where: string): BundleMetadata {
  const parsed = bundleMetadata.safeParse(json);
  if (!parsed.success) throw new BundleError(`${where}: ${METADATA_ENTRY}: ${fieldProblems(parsed.error)}`);
  return parsed.data;
}

function fieldProblems(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}
