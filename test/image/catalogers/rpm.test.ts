import { it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { rpmCataloger, sourceRpmNameAndVersion } from '../../../src/image/catalogers/rpm.js';
import { catalogImage } from '../../../src/image/catalogers/catalog-image.js';
import { osReleaseCataloger } from '../../../src/image/catalogers/os-release.js';
import { DEFAULT_CATALOGERS } from '../../../src/image/catalogers/default-catalogers.js';
import { cachedFixture, run, toolAvailable } from '../real-fixtures.js';
import { directoryInputs } from './directory-inputs.js';

/**
 * Packages built with rpmbuild and installed with rpm into a root of their own, so rpm itself writes the
 * database: names and versions as on a RHEL 8 system, a subpackage whose source RPM has another name, epochs.
 */
/** python3-urllib3 ships its egg-info, as RHEL's does: rpm owns it, so it is not a second (PyPI) package. */
const URLLIB3_EGG_INFO = '/usr/lib/python3.6/site-packages/urllib3-1.24.2-py3.6.egg-info';
const URLLIB3_PKG_INFO = 'Metadata-Version: 1.1\nName: urllib3\nVersion: 1.24.2\n';
const SPECS: Record<string, string> = {
  openssl: `Name: openssl\nVersion: 1.1.1k\nRelease: 5.el8\nEpoch: 1\nSummary: fixture\nLicense: OpenSSL and ASL 2.0\nBuildArch: noarch\n%description\nfixture\n%package libs\nSummary: libs\n%description libs\nlibs\n%files\n%files libs\n`,
  bash: `Name: bash\nVersion: 4.4.20\nRelease: 1.el8\nSummary: fixture\nLicense: GPLv3+\nBuildArch: noarch\n%description\nfixture\n%files\n`,
  'python3-urllib3': `Name: python-urllib3\nVersion: 1.24.2\nRelease: 5.el8\nSummary: fixture\nLicense: MIT\nBuildArch: noarch\n%description\nfixture\n%package -n python3-urllib3\nSummary: py3\n%description -n python3-urllib3\npy3\n%install\nmkdir -p %{buildroot}${URLLIB3_EGG_INFO}\nprintf '${URLLIB3_PKG_INFO.replace(/\n/g, '\\n')}' > %{buildroot}${URLLIB3_EGG_INFO}/PKG-INFO\n%files -n python3-urllib3\n${URLLIB3_EGG_INFO}\n`,
};
const OS_RELEASE = 'NAME="Red Hat Enterprise Linux"\nVERSION="8.4 (Ootpa)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="8.4"\nPRETTY_NAME="Red Hat Enterprise Linux 8.4 (Ootpa)"\n';

const fixture = toolAvailable('rpmbuild') && toolAvailable('rpm')
  ? cachedFixture('rpm-root', JSON.stringify(SPECS), (dir) => {
      for (const [name, spec] of Object.entries(SPECS)) {
        writeFileSync(join(dir, `${name}.spec`), spec);
        run('rpmbuild', ['-bb', '--define', `_topdir ${join(dir, 'top')}`, `${name}.spec`], dir);
      }
      const root = join(dir, 'root');
      mkdirSync(join(root, 'etc'), { recursive: true });
      writeFileSync(join(root, 'etc/os-release'), OS_RELEASE);
      const rpms = readdirSync(join(dir, 'top/RPMS/noarch')).map((f) => join(dir, 'top/RPMS/noarch', f));
      const db = ['--root', root, '--define', '_dbpath /var/lib/rpm'];
      run('rpm', [...db, '--initdb'], dir);
      run('rpm', [...db, '-i', '--justdb', '--nodeps', '--ignorearch', '--ignoreos', ...rpms], dir);
      // --justdb records the files without writing them: put the egg-info where rpm says it installed it.
      mkdirSync(join(root, URLLIB3_EGG_INFO), { recursive: true });
      writeFileSync(join(root, URLLIB3_EGG_INFO, 'PKG-INFO'), URLLIB3_PKG_INFO);
    })
  : { skip: 'rpm and rpmbuild are not installed (apt-get install rpm)' };

const QUERY = '%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} %{SOURCERPM} %{LICENSE}\\n';

it('rpm cataloger on an rpmdb.sqlite written by rpm equals rpm -qa', { skip: 'skip' in fixture && fixture.skip }, async () => {
  const { dir } = fixture as { dir: string };
  const root = join(dir, 'root');
  const expected = run('rpm', ['--root', root, '--define', '_dbpath /var/lib/rpm', '-qa', '--qf', QUERY], dir).split('\n').filter(Boolean).sort();
  assert.equal(expected.length, 4);
  const result = await catalogImage(directoryInputs(root, [rpmCataloger, osReleaseCataloger]), [rpmCataloger]);
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.packages.map((p) => `${p.name} ${p.version} ${p.metadata?.['sourceRpm']} ${p.licenses?.[0]}`).sort(), expected);
  const libs = result.packages.find((p) => p.name === 'openssl-libs')!;
  assert.equal(libs.ecosystem, 'Red Hat');
  assert.equal(libs.distroRelease, '8.4');
  assert.equal(libs.sourceName, 'openssl');
  assert.equal(libs.sourceVersion, undefined, 'source EVR equals the binary EVR');
  assert.equal(libs.purl, 'pkg:rpm/rhel/openssl-libs@1.1.1k-5.el8?arch=noarch&distro=rhel-8.4&epoch=1&upstream=openssl-1.1.1k-5.el8.src.rpm');
  assert.equal(result.packages.find((p) => p.name === 'python3-urllib3')!.sourceName, 'python-urllib3');
});

it('rpm: a Python distribution whose metadata rpm owns (rpm -qf) is reported as the RPM package only', { skip: 'skip' in fixture && fixture.skip }, async () => {
  const { dir } = fixture as { dir: string };
  const root = join(dir, 'root');
  const owner = run('rpm', ['--root', root, '--define', '_dbpath /var/lib/rpm', '-qf', '--qf', '%{NAME}', `${URLLIB3_EGG_INFO}/PKG-INFO`], dir);
  assert.equal(owner, 'python3-urllib3');
  assert.ok(run('rpm', ['--root', root, '--define', '_dbpath /var/lib/rpm', '-ql', 'python3-urllib3'], dir).includes(`${URLLIB3_EGG_INFO}/PKG-INFO`));
  const result = await catalogImage(directoryInputs(root, DEFAULT_CATALOGERS), DEFAULT_CATALOGERS);
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.packages.filter((p) => p.ecosystem === 'PyPI'), [], 'urllib3 is not reported a second time');
  const rpmPackage = result.packages.find((p) => p.name === owner)!;
  assert.equal(rpmPackage.metadata?.['languagePackages'], 'pkg:pypi/urllib3@1.24.2');
  // Without the package database the same file is an ordinary PyPI package.
  const alone = await catalogImage(directoryInputs(root, DEFAULT_CATALOGERS).filter((i) => !i.file.path.startsWith('/var/lib/rpm')), DEFAULT_CATALOGERS);
  assert.deepEqual(alone.packages.map((p) => `${p.ecosystem} ${p.name} ${p.version}`), ['PyPI urllib3 1.24.2']);
});

it('rpm: transactions still in rpmdb.sqlite-wal are read (SQLite itself is the oracle)', { skip: 'skip' in fixture && fixture.skip }, async () => {
  const { dir } = fixture as { dir: string };
  const work = join(dir, `wal-${process.pid}`);
  mkdirSync(join(work, 'var/lib/rpm'), { recursive: true });
  copyFileSync(join(dir, 'root/var/lib/rpm/rpmdb.sqlite'), join(work, 'var/lib/rpm/rpmdb.sqlite'));
  // A writer that has not checkpointed: new rows live only in the -wal file while it holds the database open.
  const writer = new Database(join(work, 'var/lib/rpm/rpmdb.sqlite'));
  try {
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    const bash = writer.prepare('SELECT blob FROM Packages ORDER BY hnum').all() as Array<{ blob: Buffer }>;
    const insert = writer.prepare('INSERT INTO Packages (blob) VALUES (?)');
    for (const row of bash) insert.run(row.blob);
    const snapshot = join(dir, `wal-snapshot-${process.pid}`);
    mkdirSync(join(snapshot, 'var/lib/rpm'), { recursive: true });
    for (const f of ['rpmdb.sqlite', 'rpmdb.sqlite-wal']) copyFileSync(join(work, 'var/lib/rpm', f), join(snapshot, 'var/lib/rpm', f));
    const expected = (new Database(join(snapshot, 'var/lib/rpm/rpmdb.sqlite'), { readonly: true }).prepare('SELECT count(*) AS n FROM Packages').get() as { n: number }).n;
    assert.equal(expected, 8);
    const withWal = await rpmCataloger.catalog(directoryInputs(snapshot, [rpmCataloger]), {});
    assert.deepEqual(withWal.problems, []);
    assert.equal(withWal.packages.length, expected);
    const mainOnly = await rpmCataloger.catalog(directoryInputs(snapshot, [rpmCataloger]).filter((i) => !i.file.path.endsWith('-wal')), {});
    assert.equal(mainOnly.packages.length, 4);
    run('rm', ['-rf', snapshot], dir);
  } finally {
    writer.close();
    run('rm', ['-rf', work], dir);
  }
});

it('rpm: a file that is not an SQLite database is a problem naming it', async () => {
  const text = new TextEncoder().encode('not a database at all, but long enough to be read as one page of sqlite '.repeat(10));
  const result = await rpmCataloger.catalog([{ file: { path: '/var/lib/rpm/rpmdb.sqlite', mode: 0o100644, size: text.length, layerDigest: 'sha256:l', uid: 0, gid: 0 }, content: { size: text.length, read: async (o, n) => text.subarray(o, o + n) } }], {});
  assert.deepEqual(result.packages, []);
  assert.equal(result.problems.length, 1);
  assert.equal(result.problems[0]!.path, '/var/lib/rpm/rpmdb.sqlite');
  assert.match(result.problems[0]!.message, /not a database/);
});

it('source RPM file names split into name and version-release', () => {
  assert.deepEqual(sourceRpmNameAndVersion('openssl-1.1.1k-5.el8.src.rpm'), { name: 'openssl', version: '1.1.1k-5.el8' });
  assert.deepEqual(sourceRpmNameAndVersion('python-urllib3-1.24.2-5.el8.src.rpm'), { name: 'python-urllib3', version: '1.24.2-5.el8' });
  assert.equal(sourceRpmNameAndVersion('(none)'), undefined);
});

const dbLoad = toolAvailable('db5.3_load') ? 'db5.3_load' : toolAvailable('db_load') ? 'db_load' : undefined;

it('rpm: a Berkeley DB Packages file (rpm ≤ 4.15) equals what rpm reads from it with its bdb_ro backend', { skip: ('skip' in fixture && fixture.skip) || (!dbLoad && 'db_load is not installed (apt-get install db5.3-util)') }, async () => {
  const { dir } = fixture as { dir: string };
  const source = new Database(join(dir, 'root/var/lib/rpm/rpmdb.sqlite'), { readonly: true });
  const rows = source.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').all() as Array<{ hnum: number; blob: Buffer }>;
  source.close();
  const key = (n: number): string => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b.toString('hex');
  };
  // Berkeley DB writes the file (db_load from a dump, as rpm's own library would): key = package number
  // (native order), value = header blob, plus rpm's 4-byte counter under key 0. A 512-byte page forces every
  // header onto overflow pages; 64 KiB pages keep them inline.
  for (const pageSize of [512, 65536]) {
    const root = join(dir, `bdb-${pageSize}-${process.pid}`);
    mkdirSync(join(root, 'var/lib/rpm'), { recursive: true });
    const dump = ['VERSION=3', 'format=bytevalue', 'type=hash', `db_pagesize=${pageSize}`, 'HEADER=END', ` ${key(0)}`, ` ${key(rows.length + 1)}`];
    for (const row of rows) dump.push(` ${key(row.hnum)}`, ` ${row.blob.toString('hex')}`);
    dump.push('DATA=END', '');
    writeFileSync(join(root, 'dump.txt'), dump.join('\n'));
    try {
      run(dbLoad!, ['-f', 'dump.txt', 'var/lib/rpm/Packages'], root);
      const expected = run('rpm', ['--root', root, '--define', '_dbpath /var/lib/rpm', '--define', '_db_backend bdb_ro', '-qa', '--qf', QUERY], dir).split('\n').filter(Boolean).sort();
      assert.equal(expected.length, rows.length);
      const result = await rpmCataloger.catalog(directoryInputs(root, [rpmCataloger], { subdirs: ['var'] }), {});
      assert.deepEqual(result.problems, []);
      assert.deepEqual(result.packages.map((p) => `${p.name} ${p.version} ${p.metadata?.['sourceRpm']} ${p.licenses?.[0]}`).sort(), expected, `page size ${pageSize}`);
    } finally {
      run('rm', ['-rf', root], dir);
    }
  }
});

it('rpm: a Packages file that is not a Berkeley DB hash database is a problem naming it', async () => {
  const bytes = new Uint8Array(4096).fill(7);
  const result = await rpmCataloger.catalog([{ file: { path: '/var/lib/rpm/Packages', mode: 0o100644, size: bytes.length, layerDigest: 'sha256:l', uid: 0, gid: 0 }, content: { size: bytes.length, read: async (o, n) => bytes.subarray(o, o + n) } }], {});
  assert.deepEqual(result.problems.map((p) => [p.path, p.message]), [['/var/lib/rpm/Packages', 'not a Berkeley DB hash database (magic 0x061561 missing)']]);
});
