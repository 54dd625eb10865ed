import Database from 'better-sqlite3';
import { PackageURL } from 'packageurl-js';
import { readAll, type Cataloger, type CatalogInput, type CatalogProblem, type Package } from './cataloger.js';
import { distroIdentity } from './distro-identity.js';
import { parseRpmHeader, rpmHeaderFiles, RPMTAG, type RpmHeader } from './rpm-header.js';
import { applyWal } from './sqlite-wal.js';
import { berkeleyDbHashValues } from './berkeley-db-hash.js';

/** rpm's database folders: /var/lib/rpm (RHEL, CentOS, Amazon Linux), /usr/lib/sysimage/rpm (Fedora 36+, openSUSE). */
const SQLITE = /^\/(?:var\/lib\/rpm|usr\/lib\/sysimage\/rpm)\/rpmdb\.sqlite(-wal)?$/;
/** Berkeley DB hash database of rpm ≤ 4.15. */
const BERKELEY_DB = /^\/(?:var\/lib\/rpm|usr\/lib\/sysimage\/rpm)\/Packages$/;

/** "openssl-1.1.1k-5.el8.src.rpm" → name "openssl", version "1.1.1k-5.el8". */
export function sourceRpmNameAndVersion(sourceRpm: string): { name: string; version: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(sourceRpm);
  return m ? { name: m[1]!, version: `${m[2]}-${m[3]}` } : undefined;
}

/** Header blobs of an rpmdb.sqlite database (with its write-ahead log applied), read from memory. */
function sqliteHeaderBlobs(database: Uint8Array, wal: Uint8Array | undefined): Uint8Array[] {
  const bytes = new Uint8Array(wal ? applyWal(database, wal) : database);
  // A WAL-mode file (format bytes 2) opened from memory has no log to look at: mark it rollback-journal mode.
  if (bytes.length > 19 && bytes[18] === 2) {
    bytes[18] = 1;
    bytes[19] = 1;
  }
  const db = new Database(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { readonly: true });
  try {
    return (db.prepare('SELECT blob FROM Packages ORDER BY hnum').all() as Array<{ blob: Buffer }>).map((r) => new Uint8Array(r.blob));
  } finally {
    db.close();
  }
}

function rpmPackage(header: RpmHeader, distro: ReturnType<typeof distroIdentity>, location: CatalogInput['file']): Package | undefined {
  const name = header.get(RPMTAG.NAME);
  const version = header.get(RPMTAG.VERSION);
  const release = header.get(RPMTAG.RELEASE);
  if (typeof name !== 'string' || typeof version !== 'string' || typeof release !== 'string') return undefined;
  // gpg-pubkey entries are imported signing keys, not software.
  if (name === 'gpg-pubkey') return undefined;
  const epoch = header.get(RPMTAG.EPOCH);
  const arch = header.get(RPMTAG.ARCH);
  const license = header.get(RPMTAG.LICENSE);
  const sourceRpm = header.get(RPMTAG.SOURCERPM);
  const source = typeof sourceRpm === 'string' ? sourceRpmNameAndVersion(sourceRpm) : undefined;
  const evr = `${typeof epoch === 'number' && epoch > 0 ? `${epoch}:` : ''}${version}-${release}`;
  const qualifiers: Record<string, string> = {};
  if (typeof arch === 'string') qualifiers['arch'] = arch;
  if (typeof epoch === 'number' && epoch > 0) qualifiers['epoch'] = String(epoch);
  if (distro.distroQualifier) qualifiers['distro'] = distro.distroQualifier;
  if (typeof sourceRpm === 'string') qualifiers['upstream'] = sourceRpm;
  const sourceVersion = source ? `${typeof epoch === 'number' && epoch > 0 ? `${epoch}:` : ''}${source.version}` : undefined;
  return {
    ecosystem: distro.ecosystem,
    name,
    version: evr,
    purl: new PackageURL('rpm', distro.namespace, name, `${version}-${release}`, qualifiers, undefined).toString(),
    ...(source && source.name !== name ? { sourceName: source.name } : {}),
    ...(source && sourceVersion !== evr ? { sourceVersion } : {}),
    ...(distro.release ? { distroRelease: distro.release } : {}),
    ...(typeof license === 'string' && license !== '' ? { licenses: [license] } : {}),
    locations: [{ layerDigest: location.layerDigest, path: location.path }],
    foundBy: 'rpm',
    metadata: { ...(typeof arch === 'string' ? { architecture: arch } : {}), ...(typeof sourceRpm === 'string' ? { sourceRpm } : {}) },
  };
}

/**
 * RPM packages from the SQLite package database (rpm ≥ 4.16: Fedora 33+, RHEL/UBI 9, Rocky/Alma 9, openSUSE),
 * including transactions still in rpmdb.sqlite-wal. Versions are EVR ("1:1.1.1k-5.el8", epoch only when set);
 * the source RPM gives the source package; each header's file list is returned as `ownedFiles`. Also the
 * Berkeley DB `Packages` hash database of rpm ≤ 4.15 (RHEL/UBI 8 and older, CentOS 7, Amazon Linux 2); not yet
 * ndb (`Packages.db`, SUSE).
 */
export const rpmCataloger: Cataloger = {
  id: 'rpm',
  wants: (file) => SQLITE.test(file.path) || BERKELEY_DB.test(file.path),
  async catalog(inputs, context) {
    const problems: CatalogProblem[] = [];
    const packages: Package[] = [];
    const ownedFiles = new Map<string, Package>();
    const distro = distroIdentity(context.os, { ecosystem: 'Red Hat', namespace: 'redhat' });
    for (const input of inputs.filter((i) => i.file.path.endsWith('.sqlite') || BERKELEY_DB.test(i.file.path))) {
      const { path, layerDigest } = input.file;
      try {
        let blobs: Uint8Array[];
        if (BERKELEY_DB.test(path)) {
          // rpm keeps a 4-byte counter beside the headers; anything that short is not a header.
          blobs = berkeleyDbHashValues(await readAll(input.content)).filter((b) => b.length > 8);
        } else {
          const walInput = inputs.find((i) => i.file.path === `${path}-wal`);
          const wal = walInput && walInput.content.size > 0 ? await readAll(walInput.content) : undefined;
          blobs = sqliteHeaderBlobs(await readAll(input.content), wal);
        }
        for (const [index, blob] of blobs.entries()) {
          try {
            const pkg = rpmPackage(parseRpmHeader(blob), distro, input.file);
            if (!pkg) continue;
            packages.push(pkg);
            for (const file of rpmHeaderFiles(blob)) ownedFiles.set(file, pkg);
          } catch (error) {
            problems.push({ catalogerId: 'rpm', layerDigest, path: `${path}!Packages[${index}]`, message: (error as Error).message });
          }
        }
      } catch (error) {
        problems.push({ catalogerId: 'rpm', layerDigest, path, message: (error as Error).message });
      }
    }
    return { packages, problems, ownedFiles };
  },
};
