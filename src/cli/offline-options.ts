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
    .addOption(new Option('--bundle-key <file>', 'trusted ed25519 public key (PEM) bundles must be signed with (default: $ASPIS_BUNDLE_KEY, a file or PEM text)'));
}

/**
 * The database a scan reads. Without --offline or --bundle, --db (or the default) as before; with them, only a
 * database proven to come from a bundle the trusted key signed. `image` is the scanned image input, if any.
 */
export async function openScanDatabase(options: OfflineOptions, image?: string, env: NodeJS.ProcessEnv = process.env): Promise<VulnDatabase> {
  if (options.offline && image !== undefined && imageInputUsesRegistry(image)) {
    throw new BundleError(
      `--offline: ${image} is not a local image (no such file or folder, so it would be pulled from a registry): use oci:DIR, oci-archive:FILE, docker-archive:FILE or an existing path`,
    );
  }
  if (!options.offline && options.bundle === undefined) return VulnDatabase.open(options.db ?? defaultDatabasePath(env));
  const key = trustedKey(options, env);
  if (options.bundle !== undefined) return VulnDatabase.open(await unpackedBundle(options.bundle, key, env));
  const path = options.db ?? defaultDatabasePath(env);
  await verifyInstalledDatabase(path, key);
  return VulnDatabase.open(path);
}

function trustedKey(options: OfflineOptions, env: NodeJS.ProcessEnv): KeyObject {
  const source = options.bundleKey ?? env.ASPIS_BUNDLE_KEY;
  if (!source) {
    throw new BundleError(`${options.bundle ? '--bundle' : '--offline'} needs the trusted public key: --bundle-key FILE or $ASPIS_BUNDLE_KEY`);
  }
  return loadVerifyingKey(source);
}

/** The bundle's database, unpacked into the cache under its sha256 unless a verified copy is there already. */
async function unpackedBundle(bundle: string, key: KeyObject, env: NodeJS.ProcessEnv): Promise<string> {
  const { metadata } = await readBundle(bundle, key, { metadataOnly: true });
  const path = join(dirname(defaultDatabasePath(env)), 'bundles', `${metadata.database.sha256}.sqlite`);
  try {
    await verifyInstalledDatabase(path, key);
  } catch {
    await installBundle(bundle, path, key);
  }
  return path;
}
