import { it } from 'node:test';
import assert from 'node:assert/strict';
import { bytesContent, type CatalogInput } from '../../../src/image/catalogers/cataloger.js';
import { apkCataloger } from '../../../src/image/catalogers/apk.js';
import { catalogImage } from '../../../src/image/catalogers/catalog-image.js';
import { osReleaseCataloger } from '../../../src/image/catalogers/os-release.js';

// No Alpine database can be produced on this machine (apk-tools is not packaged for Debian 12 and Alpine's
// mirrors are not reachable), so this database is written by hand in apk-tools' documented format
// (https://wiki.alpinelinux.org/wiki/Apk_spec#Installed_Database), fields in the order apk writes them.
const INSTALLED = `C:Q1u0OMrQrM5VlCTrAx0n7KNrjQHsQ=
P:musl
V:1.2.4-r2
A:x86_64
S:407278
I:651264
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1698767432
c:8d2e8e1d8fcfd1e0a1ab2a9a2c2fbd2dc5e0c7b5
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1KwhX0uOuT/6gjYM9K1fxiqH6y3Y=
R:libc.musl-x86_64.so.1
a:0:0:777
Z:Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=

C:Q1kFa9Z6TpYY4jjwxjGh2vXpjJfLk=
P:libcrypto3
V:3.1.4-r1
A:x86_64
S:1817048
I:4243456
T:Crypto library from openssl
U:https://www.openssl.org/
L:Apache-2.0
o:openssl
m:Ariadne Conill <ariadne@dereferenced.org>
t:1699390434
c:7d1a6e8c8a5b4d1c2b3a49e6f7f1c2d3e4f5a6b7
D:so:libc.musl-x86_64.so.1
p:so:libcrypto.so.3=3
F:lib
R:libcrypto.so.3
a:0:0:755
Z:Q1wQk0dJ0+wF0l2r2Qm7T0x3cKZzs=

P:broken
A:x86_64
`;

const OS_RELEASE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\nHOME_URL="https://alpinelinux.org/"\n';

function file(path: string, text: string): CatalogInput {
  const bytes = new TextEncoder().encode(text);
  return { file: { path, mode: 0o100644, size: bytes.length, layerDigest: 'sha256:base', uid: 0, gid: 0 }, content: bytesContent(bytes) };
}

it('apk cataloger: name, version, origin as source package, licence, Alpine release; a block without V: is a problem with its line', async () => {
  const inputs = [file('/etc/os-release', OS_RELEASE), file('/lib/apk/db/installed', INSTALLED), file('/lib/apk/db/triggers', '')];
  const result = await catalogImage(inputs.filter((i) => apkCataloger.wants(i.file) || osReleaseCataloger.wants(i.file)), [apkCataloger]);
  assert.deepEqual(
    result.packages.map((p) => [p.ecosystem, p.name, p.version, p.sourceName, p.distroRelease, p.licenses, p.purl]),
    [
      ['Alpine', 'musl', '1.2.4-r2', undefined, '3.19.1', ['MIT'], 'pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1'],
      ['Alpine', 'libcrypto3', '3.1.4-r1', 'openssl', '3.19.1', ['Apache-2.0'], 'pkg:apk/alpine/libcrypto3@3.1.4-r1?arch=x86_64&distro=alpine-3.19.1&upstream=openssl'],
    ],
  );
  assert.deepEqual(result.problems.map((p) => [p.path, p.message]), [['/lib/apk/db/installed:43', 'package block without V:']]);
});
