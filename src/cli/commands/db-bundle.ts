/**
 * Signed database bundles for air-gapped use (docs/vulnerability-database.md, "Bundles and offline scans"):
 *   aspis db keygen --private-key F --public-key F   an ed25519 key pair (PEM)
 *   aspis db bundle --output B --key PRIVATE         the database + metadata, signed, in one .tar.gz
 *   aspis db verify B --key PUBLIC                   check a bundle without installing it
 *   aspis db import-bundle B --key PUBLIC            verify, then install as the database (what --offline trusts)
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Option } from 'commander';
import { BundleError, type BundleMetadata } from '../../store/vuln-db/bundle-format.js';
import { generateBundleKeyPair, loadSigningKey, loadVerifyingKey } from '../../store/vuln-db/bundle-keys.js';
import { defaultDatabasePath } from '../../store/vuln-db/default-database-path.js';
import { installBundle } from '../../store/vuln-db/installed-bundle.js';
import { readBundle } from '../../store/vuln-db/read-bundle.js';
import { writeBundle } from '../../store/vuln-db/write-bundle.js';
import { EXIT } from '../exit-codes.js';

type Env = { version: string; setExitCode(code: number): void };
interface OutputOptions {
  output: 'text' | 'json';
}

const dbOption = (): Option =>
  new Option('--db <file>', 'vulnerability database file (default: $ASPIS_VULN_DB or ~/.cache/aspis/db/osv.sqlite)');
const outputOption = (): Option => new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text');
const publicKeyOption = (): Option =>
  new Option('--key <file>', 'trusted ed25519 public key (PEM) the bundle must be signed with (default: $ASPIS_BUNDLE_KEY, a file or PEM text)');

function keySource(given: string | undefined, variable: string, flag: string): string {
  const source = given ?? process.env[variable];
  if (!source) throw new BundleError(`${flag} FILE or $${variable} is required`);
  return source;
}

function describe(metadata: BundleMetadata, header: string[]): string {
  const lines = [
    ...header,
    `format: ${metadata.format} version ${metadata.formatVersion}, database schema ${metadata.schemaVersion}`,
    `created: ${metadata.createdAt} by ${metadata.createdBy}, signing key ${metadata.keyId}`,
    `source: ${metadata.source ?? '(none)'}${metadata.importedAt ? ` (imported ${metadata.importedAt})` : ''}`,
    `database: ${metadata.database.size} bytes, sha256 ${metadata.database.sha256}`,
    `records: ${metadata.records} (${metadata.withdrawn} withdrawn)`,
    ...Object.entries(metadata.recordsPerEcosystem).map(([ecosystem, n]) => `  ${ecosystem}: ${n}`),
  ];
  return `${lines.join('\n')}\n`;
}

export function registerDbBundle(group: Command, env: Env): void {
  group
    .command('keygen')
    .description('make an ed25519 key pair (PEM) to sign and verify database bundles')
    .requiredOption('--private-key <file>', 'where to write the private key (mode 0600; keep it secret)')
    .requiredOption('--public-key <file>', 'where to write the public key (give it to whoever verifies bundles)')
    .action(async (options: { privateKey: string; publicKey: string }) => {
      for (const file of [options.privateKey, options.publicKey]) {
        if (existsSync(file)) throw new BundleError(`${file} exists: not overwriting a key`);
      }
      const pair = generateBundleKeyPair();
      await writeFile(options.privateKey, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
      await writeFile(options.publicKey, pair.publicKeyPem, { mode: 0o644, flag: 'wx' });
      process.stdout.write(`key ${pair.keyId}\nprivate key: ${options.privateKey}\npublic key: ${options.publicKey}\n`);
      env.setExitCode(EXIT.ok);
    });

  group
    .command('bundle')
    .description('write the database and its metadata as one signed (ed25519) bundle for offline use')
    .requiredOption('--output <file>', 'bundle file to write (.tar.gz)')
    .addOption(new Option('--key <file>', 'ed25519 private key (PEM) to sign with (default: $ASPIS_BUNDLE_SIGNING_KEY, a file or PEM text)'))
    .addOption(dbOption())
    .addOption(new Option('--format <format>', 'what to print').choices(['text', 'json']).default('text'))
    .action(async (options: { output: string; key?: string; db?: string; format: 'text' | 'json' }) => {
      const key = loadSigningKey(keySource(options.key, 'ASPIS_BUNDLE_SIGNING_KEY', '--key'));
      const metadata = await writeBundle(options.db ?? defaultDatabasePath(), options.output, key, { createdAt: new Date(), createdBy: `aspis ${env.version}` });
      process.stdout.write(options.format === 'json' ? `${JSON.stringify(metadata, null, 2)}\n` : describe(metadata, [`bundle: ${options.output}`]));
      env.setExitCode(EXIT.ok);
    });

  group
    .command('verify')
    .description("check a bundle's signature, format and database checksum without installing it")
    .argument('<bundle>', 'bundle file ("aspis db bundle")')
    .addOption(publicKeyOption())
    .addOption(outputOption())
    .action(async (bundle: string, options: OutputOptions & { key?: string }) => {
      const key = loadVerifyingKey(keySource(options.key, 'ASPIS_BUNDLE_KEY', '--key'));
      const { metadata } = await readBundle(bundle, key);
      process.stdout.write(options.output === 'json' ? `${JSON.stringify(metadata, null, 2)}\n` : describe(metadata, [`${bundle}: verified`]));
      env.setExitCode(EXIT.ok);
    });

  group
    .command('import-bundle')
    .description('verify a bundle and install its database (replacing the current one); --offline scans trust only such a database')
    .argument('<bundle>', 'bundle file ("aspis db bundle")')
    .addOption(publicKeyOption())
    .addOption(dbOption())
    .addOption(outputOption())
    .action(async (bundle: string, options: OutputOptions & { key?: string; db?: string }) => {
      const key = loadVerifyingKey(keySource(options.key, 'ASPIS_BUNDLE_KEY', '--key'));
      const path = options.db ?? defaultDatabasePath();
      const metadata = await installBundle(bundle, path, key);
      process.stdout.write(options.output === 'json' ? `${JSON.stringify({ database: path, bundle: metadata }, null, 2)}\n` : describe(metadata, [`${bundle}: verified`, `installed: ${path}`]));
      env.setExitCode(EXIT.ok);
    });
}
