import { PackageURL } from 'packageurl-js';
import type { Cataloger, CatalogProblem, Package } from './cataloger.js';
import { mayBeElfExecutable, readElf } from './elf-file.js';
import { parseGoModinfo, readRawGoBuildInfo, type GoModule } from './go-build-info.js';

function goPurl(path: string, version: string): string {
  const slash = path.lastIndexOf('/');
  return new PackageURL('golang', slash > 0 ? path.slice(0, slash) : undefined, path.slice(slash + 1), version, undefined, undefined).toString();
}

/**
 * Go executables (ELF): the modules compiled in, from the build information the Go toolchain embeds (what
 * `go version -m` prints). A replaced module is reported as its replacement (that is the code in the binary);
 * the main module as built (often "(devel)"); the standard library as module "stdlib" at the toolchain version,
 * the name Go's vulnerability database uses for it.
 */
export const goBinaryCataloger: Cataloger = {
  id: 'go-binary',
  wants: (file) => mayBeElfExecutable(file),
  async catalog(inputs) {
    const packages: Package[] = [];
    const problems: CatalogProblem[] = [];
    for (const input of inputs) {
      const { path, layerDigest } = input.file;
      try {
        const elf = await readElf(input.content);
        if (!elf) continue;
        const raw = await readRawGoBuildInfo(elf);
        if (!raw) continue;
        const info = parseGoModinfo(raw.version, raw.modinfo);
        const goToolchain = raw.version.split(' ')[0]!;
        const arch = info.settings.find(([k]) => k === 'GOARCH')?.[1];
        const mainModule = info.main?.path ?? info.path ?? '';
        const metadata = { goToolchain, ...(mainModule ? { mainModule } : {}), ...(arch ? { architecture: arch } : {}) };
        const add = (module: GoModule, extra: Record<string, string>): void => {
          const effective = module.replace ?? module;
          const version = effective.version === '' ? '(devel)' : effective.version;
          packages.push({
            ecosystem: 'Go',
            name: effective.path,
            version,
            purl: goPurl(effective.path, version),
            locations: [{ layerDigest, path }],
            foundBy: 'go-binary',
            metadata: { ...metadata, ...extra, ...(effective.sum ? { h1Digest: effective.sum } : {}), ...(module.replace ? { replaces: `${module.path}@${module.version}` } : {}) },
          });
        };
        if (info.main && info.main.path !== '') add(info.main, { main: 'true' });
        for (const dep of info.deps) add(dep, {});
        packages.push({
          ecosystem: 'Go',
          name: 'stdlib',
          version: goToolchain,
          purl: goPurl('stdlib', goToolchain),
          locations: [{ layerDigest, path }],
          foundBy: 'go-binary',
          metadata,
        });
      } catch (error) {
        problems.push({ catalogerId: 'go-binary', layerDigest, path, message: (error as Error).message });
      }
    }
    return { packages, problems };
  },
};
