import { it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { runsAsRoot } from '../../../src/image/hygiene/runs-as-root.js';
import { setuidFiles } from '../../../src/image/hygiene/setuid-files.js';
import { shellsAndPackageManagers } from '../../../src/image/hygiene/shells-and-package-managers.js';
import { endOfLifeEntry, osEndOfLife, END_OF_LIFE_TABLE_DATE } from '../../../src/image/hygiene/os-end-of-life.js';
import { osReleaseFrom } from '../../../src/image/catalogers/os-release.js';
import { imageFilesUnder } from './image-files.js';

/** Real folders only: with merged /usr, /bin is a link to /usr/bin. */
const BIN_DIRS = ['/bin', '/sbin', '/usr/bin', '/usr/sbin'].filter((d) => existsSync(d) && !lstatSync(d).isSymbolicLink());

it('runs as root: empty User, root, uid 0 (with or without group), a name /etc/passwd maps to 0; not a non-root user', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/sbin/nologin\n';
  for (const user of [undefined, '', 'root', '0', '0:0', 'root:app', '000', 'toor']) {
    assert.equal(runsAsRoot(user, passwd)?.kind, 'runs-as-root', String(user));
  }
  for (const user of ['app', '1000', '1000:0', '65532:65532', 'nobody']) assert.equal(runsAsRoot(user, passwd), undefined, user);
  assert.match(runsAsRoot('toor', passwd)!.message, /maps to uid 0/);
});

it("setuid/setgid files of this machine's bin folders equal find -perm", { skip: BIN_DIRS.length === 0 && 'no bin folders' }, () => {
  const expected = (perm: string): string[] =>
    execFileSync('find', [...BIN_DIRS, '-xdev', '-type', 'f', '-perm', perm], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
  const findings = setuidFiles(imageFilesUnder(BIN_DIRS));
  assert.deepEqual(findings.filter((f) => f.kind === 'setuid-file').map((f) => f.path).sort(), expected('-4000'));
  assert.deepEqual(findings.filter((f) => f.kind === 'setgid-file').map((f) => f.path).sort(), expected('-2000'));
  assert.ok(findings.length > 0, 'a Debian system has setuid programs (su, passwd, mount)');
});

it("shells and package managers in this machine's bin folders; none in a distroless-like tree", { skip: BIN_DIRS.length === 0 && 'no bin folders' }, () => {
  const findings = shellsAndPackageManagers(imageFilesUnder(BIN_DIRS));
  const shell = findings.find((f) => f.kind === 'shell-present')!;
  const manager = findings.find((f) => f.kind === 'package-manager-present')!;
  for (const path of ['/usr/bin/bash', '/usr/bin/dash']) if (existsSync(path)) assert.ok(path in shell.evidence!, path);
  for (const path of ['/usr/bin/apt-get', '/usr/bin/dpkg']) if (existsSync(path)) assert.ok(path in manager.evidence!, path);
  // A distroless image: only the application and its libraries.
  const distroless = [
    { path: '/app/server', mode: 0o100755, size: 10_000_000, layerDigest: 'sha256:app', uid: 0, gid: 0 },
    { path: '/usr/lib/x86_64-linux-gnu/libc.so.6', mode: 0o100755, size: 2_000_000, layerDigest: 'sha256:base', uid: 0, gid: 0 },
    { path: '/etc/passwd', mode: 0o100644, size: 100, layerDigest: 'sha256:base', uid: 0, gid: 0 },
  ];
  assert.deepEqual(shellsAndPackageManagers(distroless), []);
});

it('end of life: from the dated table, with the date passed in; unknown releases are never reported', () => {
  const os = (text: string) => osReleaseFrom(text, '/etc/os-release', 'sha256:base')!;
  const buster = os('PRETTY_NAME="Debian GNU/Linux 10 (buster)"\nID=debian\nVERSION_ID="10"\n');
  const bookworm = os('ID=debian\nVERSION_ID="12"\n');
  const alpine = os('ID=alpine\nVERSION_ID=3.19.1\n');
  const stream = os('NAME="CentOS Stream"\nID="centos"\nVERSION_ID="8"\n');
  assert.equal(osEndOfLife(buster, END_OF_LIFE_TABLE_DATE)?.evidence?.['eol'], '2024-06-30');
  assert.equal(osEndOfLife(buster, '2024-06-30'), undefined, 'the end-of-life day itself is still supported');
  assert.equal(osEndOfLife(bookworm, END_OF_LIFE_TABLE_DATE), undefined);
  assert.equal(osEndOfLife(alpine, '2025-11-02')?.kind, 'os-end-of-life');
  assert.equal(endOfLifeEntry(stream)?.eol, '2024-05-31');
  assert.equal(osEndOfLife(os('ID=debian\nVERSION_CODENAME=sid\n'), END_OF_LIFE_TABLE_DATE), undefined);
  assert.equal(osEndOfLife(os('ID=wolfi\n'), END_OF_LIFE_TABLE_DATE), undefined);
  assert.throws(() => osEndOfLife(buster, '27/11/2026'), /YYYY-MM-DD/);
  // This machine's own release is in the table.
  if (existsSync('/etc/os-release')) assert.ok(endOfLifeEntry(os(readFileSync('/etc/os-release', 'utf8'))));
});
