import { PackageURL } from 'packageurl-js';
import { readAll, type Cataloger, type CatalogInput, type CatalogProblem, type Package } from './cataloger.js';
import { compareText } from '../../core/model/text-order.js';

/** node_modules/<name>/package.json or node_modules/@scope/<name>/package.json (any depth of nesting). */
const INSTALLED = /\/node_modules\/((?:@[^/]+\/)?[^/@.][^/]*)\/package\.json$/;
/** Lockfiles of a project; node_modules/.package-lock.json (npm's hidden lockfile) only repeats node_modules. */
const LOCKFILE = /\/package-lock\.json$|\/npm-shrinkwrap\.json$/;

function licensesOf(manifest: Record<string, unknown>): string[] {
  const out: string[] = [];
  const add = (value: unknown): void => {
    if (typeof value === 'string' && value.trim() !== '') out.push(value.trim());
    else if (value && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string') out.push((value as { type: string }).type);
  };
  add(manifest['license']);
  if (Array.isArray(manifest['licenses'])) for (const l of manifest['licenses']) add(l);
  return [...new Set(out)];
}

function npmPurl(name: string, version: string): string {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  return new PackageURL('npm', slash > 0 ? name.slice(0, slash) : undefined, slash > 0 ? name.slice(slash + 1) : name, version, undefined, undefined).toString();
}

function npmPackage(name: string, version: string, licenses: string[], layerDigest: string, path: string, metadata: Record<string, string>): Package {
  return {
    ecosystem: 'npm',
    name,
    version,
    purl: npmPurl(name, version),
    ...(licenses.length > 0 ? { licenses } : {}),
    locations: [{ layerDigest, path }],
    foundBy: 'npm',
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
}

async function readJson(input: CatalogInput, limit: number): Promise<Record<string, unknown>> {
  const value = JSON.parse(new TextDecoder().decode(await readAll(input.content, limit))) as unknown;
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
  return value as Record<string, unknown>;
}

/** Lockfile entries as (install path relative to the project, name, version, licence). */
function lockEntries(lock: Record<string, unknown>): Array<{ installPath: string; name: string; version: string; licenses: string[]; dev: boolean }> {
  const entries: Array<{ installPath: string; name: string; version: string; licenses: string[]; dev: boolean }> = [];
  const packages = lock['packages'];
  if (packages && typeof packages === 'object') {
    // lockfileVersion 2 and 3: "node_modules/a/node_modules/@s/b": { version, license, link, dev }.
    for (const [key, raw] of Object.entries(packages as Record<string, Record<string, unknown>>)) {
      const at = key.lastIndexOf('node_modules/');
      if (at < 0 || !raw || raw['link'] === true || typeof raw['version'] !== 'string') continue;
      const name = typeof raw['name'] === 'string' ? raw['name'] : key.slice(at + 'node_modules/'.length);
      entries.push({ installPath: key, name, version: raw['version'], licenses: licensesOf(raw), dev: raw['dev'] === true });
    }
    return entries;
  }
  // lockfileVersion 1: nested "dependencies".
  const walk = (deps: unknown, prefix: string): void => {
    if (!deps || typeof deps !== 'object') return;
    for (const [name, raw] of Object.entries(deps as Record<string, Record<string, unknown>>)) {
      const installPath = `${prefix}node_modules/${name}`;
      if (typeof raw?.['version'] === 'string' && !raw['version'].startsWith('file:')) {
        entries.push({ installPath, name, version: raw['version'], licenses: [], dev: raw['dev'] === true });
      }
      walk(raw?.['dependencies'], `${installPath}/`);
    }
  };
  walk(lock['dependencies'], '');
  return entries;
}

/**
 * npm packages: every installed node_modules/<name>/package.json (including npm's own, in Node.js images), and
 * the entries of package-lock.json / npm-shrinkwrap.json whose install folder is not in the image (a project
 * shipped with its lockfile but without node_modules). One package per install folder, as npm ls counts them.
 */
export const npmCataloger: Cataloger = {
  id: 'npm',
  yieldsToOsPackages: true,
  wants: (file) => INSTALLED.test(file.path) || (LOCKFILE.test(file.path) && !file.path.includes('/node_modules/')),
  async catalog(inputs) {
    const problems: CatalogProblem[] = [];
    const packages: Package[] = [];
    const installedPaths = new Set<string>();
    const sorted = [...inputs].sort((a, b) => compareText(a.file.path, b.file.path));
    for (const input of sorted.filter((i) => INSTALLED.test(i.file.path))) {
      const { path, layerDigest } = input.file;
      installedPaths.add(path.slice(0, -'/package.json'.length));
      let manifest: Record<string, unknown>;
      try {
        manifest = await readJson(input, 16 * 1024 * 1024);
      } catch (error) {
        problems.push({ catalogerId: 'npm', layerDigest, path, message: (error as Error).message });
        continue;
      }
      const name = typeof manifest['name'] === 'string' ? manifest['name'] : INSTALLED.exec(path)![1]!;
      const version = manifest['version'];
      if (typeof version !== 'string' || version === '') {
        problems.push({ catalogerId: 'npm', layerDigest, path, message: 'package.json has no "version"' });
        continue;
      }
      packages.push(npmPackage(name, version, licensesOf(manifest), layerDigest, path, {}));
    }
    for (const input of sorted.filter((i) => LOCKFILE.test(i.file.path))) {
      const { path, layerDigest } = input.file;
      const project = path.slice(0, path.lastIndexOf('/'));
      let lock: Record<string, unknown>;
      try {
        lock = await readJson(input, 256 * 1024 * 1024);
      } catch (error) {
        problems.push({ catalogerId: 'npm', layerDigest, path, message: (error as Error).message });
        continue;
      }
      for (const entry of lockEntries(lock)) {
        if (installedPaths.has(`${project}/${entry.installPath}`)) continue;
        packages.push(npmPackage(entry.name, entry.version, entry.licenses, layerDigest, path, { lockfileEntry: entry.installPath, ...(entry.dev ? { dev: 'true' } : {}) }));
      }
    }
    return { packages, problems };
  },
};
