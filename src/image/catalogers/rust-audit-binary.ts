import { inflateSync } from 'node:zlib';
import { PackageURL } from 'packageurl-js';
import type { Cataloger, CatalogProblem, Package } from './cataloger.js';
import { mayBeElfExecutable, readElf, sectionBytes } from './elf-file.js';

/** One entry of cargo-auditable's dependency list (https://github.com/rust-secure-code/cargo-auditable, format v0). */
interface AuditablePackage {
  name: string;
  version: string;
  source?: string;
  kind?: string;
  root?: boolean;
}

const MAX_COMPRESSED = 8 * 1024 * 1024;
const MAX_JSON = 64 * 1024 * 1024;

/**
 * Rust executables built with cargo-auditable: the crates compiled in, from the zlib-compressed JSON in the
 * ELF section .dep-v0. Crates from crates.io are matched as ecosystem crates.io; other sources (local path, git,
 * another registry) keep their source in metadata. Build-time dependencies are marked kind=build.
 */
export const rustAuditBinaryCataloger: Cataloger = {
  id: 'rust-audit-binary',
  wants: (file) => mayBeElfExecutable(file),
  async catalog(inputs) {
    const packages: Package[] = [];
    const problems: CatalogProblem[] = [];
    for (const input of inputs) {
      const { path, layerDigest } = input.file;
      try {
        const elf = await readElf(input.content);
        if (!elf) continue;
        const compressed = await sectionBytes(elf, '.dep-v0', MAX_COMPRESSED);
        if (!compressed) continue;
        const json = JSON.parse(inflateSync(compressed, { maxOutputLength: MAX_JSON }).toString('utf8')) as { packages?: unknown };
        if (!Array.isArray(json.packages)) throw new Error('.dep-v0 JSON has no "packages" array');
        for (const [index, raw] of (json.packages as AuditablePackage[]).entries()) {
          if (typeof raw?.name !== 'string' || typeof raw.version !== 'string') {
            problems.push({ catalogerId: 'rust-audit-binary', layerDigest, path, message: `.dep-v0 packages[${index}] has no name or version` });
            continue;
          }
          const source = raw.source ?? 'crates.io';
          packages.push({
            ecosystem: 'crates.io',
            name: raw.name,
            version: raw.version,
            purl: new PackageURL('cargo', undefined, raw.name, raw.version, undefined, undefined).toString(),
            locations: [{ layerDigest, path }],
            foundBy: 'rust-audit-binary',
            metadata: { source, ...(raw.kind ? { kind: raw.kind } : {}), ...(raw.root ? { root: 'true' } : {}) },
          });
        }
      } catch (error) {
        problems.push({ catalogerId: 'rust-audit-binary', layerDigest, path, message: (error as Error).message });
      }
    }
    return { packages, problems };
  },
};
