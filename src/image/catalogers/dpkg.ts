import { PackageURL } from 'packageurl-js';
import { isRegularFile, readAll, type Cataloger, type CatalogInput, type CatalogProblem, type Package, type PackageLocation } from './cataloger.js';
import { parseDeb822 } from './deb822-stanzas.js';
import { distroIdentity } from './distro-identity.js';
import { dpkgCopyrightLicenses } from './dpkg-copyright-licenses.js';
import { compareText } from '../../core/model/text-order.js';

const STATUS = '/var/lib/dpkg/status';
const STATUS_D = '/var/lib/dpkg/status.d/';
const INFO = '/var/lib/dpkg/info/';
const DOC = /^\/usr\/share\/doc\/([^/]+)\/copyright$/;

/** dpkg states whose files are on disk (dpkg(1) "Package states"); not-installed and config-files are not. */
const PRESENT_STATES = new Set(['installed', 'half-installed', 'unpacked', 'half-configured', 'triggers-awaited', 'triggers-pending']);

/** `Source: name` or `Source: name (version)`. */
function sourceOf(field: string | undefined): { name?: string; version?: string } {
  const m = field ? /^(\S+)(?:\s+\(([^)]+)\))?/.exec(field.trim()) : null;
  return m ? { name: m[1]!, ...(m[2] ? { version: m[2] } : {}) } : {};
}

/** The paths a package's info/<name>.list names (one absolute path per line, as dpkg -L prints them). */
async function addOwnedFiles(list: CatalogInput, owner: Package, owned: Map<string, Package>, problem: (input: CatalogInput, message: string) => void): Promise<void> {
  let text: string;
  try {
    text = new TextDecoder().decode(await readAll(list.content, 64 * 1024 * 1024));
  } catch (error) {
    problem(list, (error as Error).message);
    return;
  }
  for (const line of text.split('\n')) {
    if (line.startsWith('/') && line !== '/.') owned.set(line, owner);
  }
}

/**
 * Debian packages: /var/lib/dpkg/status (one stanza per package), or /var/lib/dpkg/status.d/<name> files
 * (distroless images, one stanza each). Each package carries its source package name and version (Debian and
 * Ubuntu advisories name source packages), architecture, licences from its copyright file, and the layer that
 * installed it: the layer of its /var/lib/dpkg/info/<name>.list file, written by dpkg at install time. The files
 * those lists name are returned as `ownedFiles` (language packages a Debian package installed are its content).
 */
export const dpkgCataloger: Cataloger = {
  id: 'dpkg',
  wants(file) {
    const p = file.path;
    if (p === STATUS) return true;
    if (p.startsWith(STATUS_D)) return !p.endsWith('.md5sums') && p.indexOf('/', STATUS_D.length) < 0 && isRegularFile(file);
    if (p.startsWith(INFO)) return p.endsWith('.list');
    return DOC.test(p);
  },
  async catalog(inputs, context) {
    const problems: CatalogProblem[] = [];
    const problem = (input: CatalogInput, message: string, line?: number): void => {
      problems.push({ catalogerId: 'dpkg', layerDigest: input.file.layerDigest, path: line ? `${input.file.path}:${line}` : input.file.path, message });
    };
    const lists = new Map<string, CatalogInput>();
    const copyrights = new Map<string, CatalogInput>();
    const databases: CatalogInput[] = [];
    for (const input of inputs) {
      const p = input.file.path;
      if (p.startsWith(INFO)) lists.set(p.slice(INFO.length, -'.list'.length), input);
      else if (DOC.test(p)) copyrights.set(DOC.exec(p)![1]!, input);
      else databases.push(input);
    }
    const distro = distroIdentity(context.os, { ecosystem: 'Debian', namespace: 'debian' });
    const packages: Package[] = [];
    const ownedFiles = new Map<string, Package>();
    // status first, then status.d in path order, so output is stable.
    databases.sort((a, b) => (a.file.path === STATUS ? -1 : b.file.path === STATUS ? 1 : compareText(a.file.path, b.file.path)));
    for (const input of databases) {
      let text: string;
      try {
        text = new TextDecoder().decode(await readAll(input.content));
      } catch (error) {
        problem(input, (error as Error).message);
        continue;
      }
      const parsed = parseDeb822(text);
      for (const p of parsed.problems) problem(input, p.message, p.line);
      for (const stanza of parsed.stanzas) {
        const f = stanza.fields;
        const name = f.get('package');
        const version = f.get('version');
        if (!name || !version) {
          problem(input, `stanza without ${name ? 'Version' : 'Package'}`, stanza.line);
          continue;
        }
        const state = f.get('status')?.split(/\s+/)[2];
        if (state !== undefined && !PRESENT_STATES.has(state)) continue;
        const arch = f.get('architecture');
        const multiArch = f.get('multi-arch');
        const source = sourceOf(f.get('source'));
        const sourceName = source.name ?? name;
        const sourceVersion = source.version ?? version;
        const list = lists.get(multiArch === 'same' && arch ? `${name}:${arch}` : name) ?? lists.get(name);
        const locations: PackageLocation[] = [];
        if (list) locations.push({ layerDigest: list.file.layerDigest, path: list.file.path });
        locations.push({ layerDigest: input.file.layerDigest, path: input.file.path });
        let licenses: string[] = [];
        const copyright = copyrights.get(name);
        if (copyright) {
          try {
            licenses = dpkgCopyrightLicenses(new TextDecoder().decode(await readAll(copyright.content, 16 * 1024 * 1024)));
          } catch (error) {
            problem(copyright, (error as Error).message);
          }
        }
        const qualifiers: Record<string, string> = {};
        if (arch) qualifiers['arch'] = arch;
        if (distro.distroQualifier) qualifiers['distro'] = distro.distroQualifier;
        if (sourceName !== name || sourceVersion !== version) {
          qualifiers['upstream'] = sourceVersion !== version ? `${sourceName}@${sourceVersion}` : sourceName;
        }
        const pkg: Package = {
          ecosystem: distro.ecosystem,
          name,
          version,
          purl: new PackageURL('deb', distro.namespace, name, version, qualifiers, undefined).toString(),
          ...(sourceName !== name ? { sourceName } : {}),
          ...(sourceVersion !== version ? { sourceVersion } : {}),
          ...(distro.release ? { distroRelease: distro.release } : {}),
          ...(licenses.length > 0 ? { licenses } : {}),
          locations,
          foundBy: 'dpkg',
          metadata: {
            ...(arch ? { architecture: arch } : {}),
            ...(multiArch ? { multiArch } : {}),
          },
        };
        packages.push(pkg);
        if (list) await addOwnedFiles(list, pkg, ownedFiles, problem);
      }
    }
    return { packages, problems, ownedFiles };
  },
};
