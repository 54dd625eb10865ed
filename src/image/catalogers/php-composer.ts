import { PackageURL } from 'packageurl-js';
import { isRegularFile, readAll, type Cataloger, type CatalogProblem, type Package } from './cataloger.js';
import { compareText } from '../../core/model/text-order.js';

const INSTALLED = /\/composer\/installed\.json$/;

interface ComposerEntry {
  name?: unknown;
  version?: unknown;
  license?: unknown;
}

/**
 * PHP packages Composer installed: vendor/composer/installed.json, as Composer 2 writes it
 * ({"packages": [...], "dev-package-names": [...]}) or Composer 1 (a bare array).
 */
export const phpComposerCataloger: Cataloger = {
  id: 'php-composer',
  yieldsToOsPackages: true,
  wants: (file) => INSTALLED.test(file.path) && isRegularFile(file),
  async catalog(inputs) {
    const packages: Package[] = [];
    const problems: CatalogProblem[] = [];
    for (const input of [...inputs].sort((a, b) => compareText(a.file.path, b.file.path))) {
      const { path, layerDigest } = input.file;
      let entries: ComposerEntry[];
      let dev = new Set<string>();
      try {
        const json = JSON.parse(new TextDecoder().decode(await readAll(input.content, 64 * 1024 * 1024))) as unknown;
        if (Array.isArray(json)) entries = json as ComposerEntry[];
        else if (json && typeof json === 'object' && Array.isArray((json as { packages?: unknown }).packages)) {
          entries = (json as { packages: ComposerEntry[] }).packages;
          const devNames = (json as { 'dev-package-names'?: unknown })['dev-package-names'];
          if (Array.isArray(devNames)) dev = new Set(devNames.filter((n): n is string => typeof n === 'string'));
        } else throw new Error('neither a Composer 2 {"packages": [...]} object nor a Composer 1 array');
      } catch (error) {
        problems.push({ catalogerId: 'php-composer', layerDigest, path, message: (error as Error).message });
        continue;
      }
      for (const [index, entry] of entries.entries()) {
        if (typeof entry?.name !== 'string' || typeof entry.version !== 'string') {
          problems.push({ catalogerId: 'php-composer', layerDigest, path: `${path}!packages[${index}]`, message: 'entry without a "name" or "version" string' });
          continue;
        }
        const [vendor, project] = entry.name.includes('/') ? [entry.name.slice(0, entry.name.indexOf('/')), entry.name.slice(entry.name.indexOf('/') + 1)] : [undefined, entry.name];
        const licenses = (Array.isArray(entry.license) ? entry.license : [entry.license]).filter((l): l is string => typeof l === 'string' && l !== '');
        packages.push({
          ecosystem: 'Packagist',
          name: entry.name,
          version: entry.version,
          purl: new PackageURL('composer', vendor, project!, entry.version, undefined, undefined).toString(),
          ...(licenses.length > 0 ? { licenses } : {}),
          locations: [{ layerDigest, path }],
          foundBy: 'php-composer',
          ...(dev.has(entry.name) ? { metadata: { dev: 'true' } } : {}),
        });
      }
    }
    return { packages, problems };
  },
};
