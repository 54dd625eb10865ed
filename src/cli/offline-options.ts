/**
 * `--offline`, `--bundle` and `--bundle-key` for every command that reads the vulnerability database
 * (docs/vulnerability-database.md, "Offline"). Under --offline nothing touches the network: registry images are
 * refused before anything is read, nothing is downloaded, and the database is one a trusted key signed, either the
 * --bundle file (verified, then unpacked once into the cache) or the database `aspis db import-bundle` installed
 * (re-verified on every run: signature, size, sha256).
 */
import type { KeyObject } from 'node:crypto';
import { dirname, join } from 'node:path';
import { Option, type Command } from 'commander';
import { BundleError } from '../store/vuln-db/bundle-format.js';
import { loadVerifyingKey } from '../store/vuln-db/bundle-keys.js';
import { defaultDatabasePath } from '../store/vuln-db/default-database-path.js';
import { installBundle, verifyInstalledDatabase } from '../store/vuln-db/installed-bundle.js';
import { readBundle } from '../store/vuln-db/read-bundle.js';
import { VulnDatabase } from '../store/vuln-db/vuln-database.js';
import { imageInputUsesRegistry } from './offline-image-input.js';

export interface OfflineOptions {
  db?: string;
  offline?: boolean;
  bundle?: string;
  bundleKey?: string;
  /** Days a bundle may be old (from its signed createdAt): an old signed bundle replayed is refused. */
  bundleMaxAge?: string;
}

export function addOfflineOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--offline',
        'use no network: only local images (oci:, oci-archive:, docker-archive:, paths) and a signed database (--bundle, or the one "aspis db import-bundle" installed)',
      ),
    )
    .addOption(new Option('--bundle <file>', 'signed database bundle ("aspis db bundle") to use instead of --db, verified first').conflicts('db'))
    .addOption(new Option('--bundle-key <file>', 'trusted ed25519 public key (PEM) bundles must be signed with (default: $ASPIS_BUNDLE_KEY, a file or PEM text)'))
    .addOption(new Option('--bundle-max-age <days>', 'refuse a bundle signed more than this many days ago (its signed creation time), so an old bundle cannot be passed off as current'));
}

/**
 * The database a scan reads. Without --offline or --bundle, --db (or the default) as before; with them, only a
 * database proven to come from a bundle the trusted key signed. `image` is the scanned image input, if any.
 */
export async function openScanDatabase(options: OfflineOptions, image?: string, env: NodeJS.ProcessEnv = process.env, now = new Date()): Promise<VulnDatabase> {
  if (options.offline && image !== undefined && imageInputUsesRegistry(image)) {
    throw new BundleError(
      `--offline: ${image} is not a local image (no such file or folder, so it would be pulled from a registry): use oci:DIR, oci-archive:FILE, docker-archive:FILE or an existing path`,
    );
  }
  const maxAgeDays = options.bundleMaxAge === undefined ? undefined : bundleMaxAgeDays(options.bundleMaxAge);
  if (!options.offline && options.bundle === undefined) {
    if (maxAgeDays !== undefined) throw new BundleError('--bundle-max-age applies to signed bundles: use it with --offline or --bundle');
    return VulnDatabase.open(options.db ?? defaultDatabasePath(env));
  }
  const key = trustedKey(options, env);
  if (options.bundle !== undefined) {
    const { metadata } = await readBundle(options.bundle, key, { metadataOnly: true });
    checkBundleAge(metadata.createdAt, maxAgeDays, options.bundle, now);
    return VulnDatabase.open(await unpackedBundle(options.bundle, metadata.database.sha256, key, env));
  }
  const path = options.db ?? defaultDatabasePath(env);
  const metadata = await verifyInstalledDatabase(path, key);
  checkBundleAge(metadata.createdAt, maxAgeDays, path, now);
  return VulnDatabase.open(path);
}

function bundleMaxAgeDays(text: string): number {
  const days = Number(text);
  if (text.trim() === '' || !Number.isFinite(days) || days <= 0) throw new BundleError(`--bundle-max-age must be a positive number of days, got "${text}"`);
  return days;
}

/** Refuses a bundle signed longer ago than the limit (the signed createdAt cannot be changed without the key). */
function checkBundleAge(createdAt: string, maxAgeDays: number | undefined, what: string, now: Date): void {
  if (maxAgeDays === undefined) return;
  const ageDays = (now.getTime() - Date.parse(createdAt)) / 86_400_000;
  if (ageDays > maxAgeDays) {
    throw new BundleError(`${what}: the bundle was signed at ${createdAt}, ${ageDays.toFixed(ageDays < 1 ? 4 : 1)} days ago, more than --bundle-max-age ${maxAgeDays}: get a current bundle`);
  }
}

function trustedKey(options: OfflineOptions, env: NodeJS.ProcessEnv): KeyObject {
  const source = options.bundleKey ?? env.ASPIS_BUNDLE_KEY;
  if (!source) {
    throw new BundleError(`${options.bundle ? '--bundle' : '--offline'} needs the trusted public key: --bundle-key FILE or $ASPIS_BUNDLE_KEY`);
  }
  return loadVerifyingKey(source);
}

/** The bundle's database, unpacked into the cache under its sha256 unless a verified copy is there already. */
async function unpackedBundle(bundle: string, sha256: string, key: KeyObject, env: NodeJS.ProcessEnv): Promise<string> {
  const path = join(dirname(defaultDatabasePath(env)), 'bundles', `${sha256}.sqlite`);
  try {
    await verifyInstalledDatabase(path, key);
  } catch {
    await installBundle(bundle, path, key);
  }
  return path;
}
