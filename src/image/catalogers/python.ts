import { PackageURL } from 'packageurl-js';
import { isRegularFile, readAll, type Cataloger, type CatalogProblem, type Package } from './cataloger.js';
import { coreMetadataLicenses, parseCoreMetadata } from './python-core-metadata.js';
import { compareText } from '../../core/model/text-order.js';

/** Installed-distribution metadata: wheels (.dist-info/METADATA), setuptools (.egg-info/PKG-INFO, or a single
 * .egg-info file written by distutils), and eggs (.egg/EGG-INFO/PKG-INFO). */
const METADATA = /(?:\.dist-info\/METADATA|\.egg-info\/PKG-INFO|\.egg\/EGG-INFO\/PKG-INFO|\.egg-info)$/;

/** PEP 503 normalised name: how pip and PyPI compare names. */
export function normalizePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The folder the distribution is installed into (site-packages, dist-packages …). */
function installDirectory(path: string): string {
  const strip = path.endsWith('.egg-info') ? 1 : path.endsWith('/EGG-INFO/PKG-INFO') ? 3 : 2;
  return path.split('/').slice(0, -strip).join('/');
}

/**
 * Python distributions installed by pip, setuptools, distutils or a distribution's packages. In one folder a
 * distribution is reported once even when both a .dist-info and an .egg-info describe it (pip list does the same);
 * the same distribution in two folders (two virtualenvs) is reported twice, with each location.
 */
export const pythonCataloger: Cataloger = {
  id: 'python',
  yieldsToOsPackages: true,
  wants: (file) => METADATA.test(file.path) && isRegularFile(file),
  async catalog(inputs) {
    const problems: CatalogProblem[] = [];
    const byKey = new Map<string, Package>();
    const sorted = [...inputs].sort((a, b) => compareText(a.file.path, b.file.path));
    for (const input of sorted) {
      const { path, layerDigest } = input.file;
      let fields: Map<string, string[]>;
      try {
        fields = parseCoreMetadata(new TextDecoder().decode(await readAll(input.content, 64 * 1024 * 1024)));
      } catch (error) {
        problems.push({ catalogerId: 'python', layerDigest, path, message: (error as Error).message });
        continue;
      }
      const name = fields.get('name')?.[0];
      const version = fields.get('version')?.[0];
      if (!name || !version) {
        problems.push({ catalogerId: 'python', layerDigest, path, message: `no ${name ? 'Version' : 'Name'} field in the metadata headers` });
        continue;
      }
      const key = `${installDirectory(path)}\0${normalizePythonName(name)}\0${version}`;
      const existing = byKey.get(key);
      if (existing) {
        byKey.set(key, { ...existing, locations: [...existing.locations, { layerDigest, path }] });
        continue;
      }
      const licenses = coreMetadataLicenses(fields);
      byKey.set(key, {
        ecosystem: 'PyPI',
        name,
        version,
        purl: new PackageURL('pypi', undefined, name, version, undefined, undefined).toString(),
        ...(licenses.length > 0 ? { licenses } : {}),
        locations: [{ layerDigest, path }],
        foundBy: 'python',
        metadata: { sitePackages: installDirectory(path) },
      });
    }
    return { packages: [...byKey.values()], problems };
  },
};
