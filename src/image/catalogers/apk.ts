import { PackageURL } from 'packageurl-js';
import { readAll, type Cataloger, type CatalogProblem, type Package } from './cataloger.js';
import { distroIdentity } from './distro-identity.js';

const INSTALLED = '/lib/apk/db/installed';

/**
 * Alpine packages (and Wolfi/Chainguard, which use apk): /lib/apk/db/installed, one block per package of
 * "K:value" lines separated by blank lines (apk-tools' database format: P name, V version, A arch, L licence,
 * o origin — the source package Alpine's advisories name —, then F/R folder and file lines). The files the F/R
 * lines name are returned as `ownedFiles` (a py3-* package's dist-info is that Alpine package's content).
 */
export const apkCataloger: Cataloger = {
  id: 'apk',
  wants: (file) => file.path === INSTALLED,
  async catalog(inputs, context) {
    const problems: CatalogProblem[] = [];
    const packages: Package[] = [];
    const ownedFiles = new Map<string, Package>();
    const distro = distroIdentity(context.os, { ecosystem: 'Alpine', namespace: 'alpine' });
    for (const input of inputs) {
      const { path, layerDigest } = input.file;
      let text: string;
      try {
        text = new TextDecoder().decode(await readAll(input.content));
      } catch (error) {
        problems.push({ catalogerId: 'apk', layerDigest, path, message: (error as Error).message });
        continue;
      }
      let fields = new Map<string, string>();
      let files: string[] = [];
      let folder = '';
      let start = 1;
      const flush = (): void => {
        if (fields.size === 0) return;
        const name = fields.get('P');
        const version = fields.get('V');
        if (!name || !version) {
          problems.push({ catalogerId: 'apk', layerDigest, path: `${path}:${start}`, message: `package block without ${name ? 'V:' : 'P:'}` });
        } else {
          const arch = fields.get('A');
          const origin = fields.get('o');
          const license = fields.get('L');
          const qualifiers: Record<string, string> = {};
          if (arch) qualifiers['arch'] = arch;
          if (distro.distroQualifier) qualifiers['distro'] = distro.distroQualifier;
          if (origin && origin !== name) qualifiers['upstream'] = origin;
          const pkg: Package = {
            ecosystem: distro.ecosystem,
            name,
            version,
            purl: new PackageURL('apk', distro.namespace, name, version, qualifiers, undefined).toString(),
            ...(origin && origin !== name ? { sourceName: origin } : {}),
            ...(distro.release ? { distroRelease: distro.release } : {}),
            ...(license ? { licenses: [license] } : {}),
            locations: [{ layerDigest, path }],
            foundBy: 'apk',
            metadata: { ...(arch ? { architecture: arch } : {}), ...(fields.get('c') ? { commit: fields.get('c')! } : {}) },
          };
          packages.push(pkg);
          for (const file of files) ownedFiles.set(file, pkg);
        }
        fields = new Map();
        files = [];
        folder = '';
      };
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!.replace(/\r$/, '');
        if (line === '') {
          flush();
          continue;
        }
        if (fields.size === 0) start = i + 1;
        if (line.length < 2 || line[1] !== ':') {
          problems.push({ catalogerId: 'apk', layerDigest, path: `${path}:${i + 1}`, message: `not a "K:value" line: ${JSON.stringify(line.slice(0, 80))}` });
          continue;
        }
        const key = line[0]!;
        if (key === 'F') folder = line.slice(2);
        else if (key === 'R') files.push(`/${folder ? `${folder}/` : ''}${line.slice(2)}`);
        // F:/R: and the checksum lines repeat per file; the package fields come first and once.
        if (!fields.has(key)) fields.set(key, line.slice(2));
      }
      flush();
    }
    return { packages, problems, ownedFiles };
  },
};
