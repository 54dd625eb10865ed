import { it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesContent } from '../../../src/image/catalogers/cataloger.js';
import { goBinaryCataloger } from '../../../src/image/catalogers/go-binary.js';
import { cachedFixture, run, toolAvailable } from '../real-fixtures.js';
import { diskContent } from './directory-inputs.js';

/** golang.org/x/text v0.3.5 (CVE-2021-38561) and gopkg.in/yaml.v2 v2.2.2 (CVE-2019-11254), replaced in one build. */
const MAIN_GO = `package main

import (
	"fmt"

	"golang.org/x/text/language"
	"gopkg.in/yaml.v2"
)

func main() {
	var v map[string]string
	_ = yaml.Unmarshal([]byte("a: b"), &v)
	fmt.Println(language.English, v)
}
`;
const GO_MOD = `module example.com/aspis/fixture

go 1.21

require (
	golang.org/x/text v0.3.5
	gopkg.in/yaml.v2 v2.2.2
)
`;

const binaries = toolAvailable('go')
  ? cachedFixture('go-binaries', MAIN_GO + GO_MOD + 'amd64 386-stripped-replaced v2', (dir) => {
      writeFileSync(join(dir, 'main.go'), MAIN_GO);
      writeFileSync(join(dir, 'go.mod'), GO_MOD);
      const env = { CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
      run('go', ['mod', 'tidy'], dir, env);
      run('go', ['build', '-o', 'fixture-amd64', '.'], dir, { ...env, GOARCH: 'amd64' });
      run('go', ['mod', 'edit', '-replace', 'gopkg.in/yaml.v2=gopkg.in/yaml.v2@v2.2.4'], dir, env);
      run('go', ['mod', 'tidy'], dir, env);
      run('go', ['build', '-ldflags=-s -w', '-o', 'fixture-386-stripped', '.'], dir, { ...env, GOARCH: '386' });
    })
  : { skip: 'go is not installed' };

/** `go version -m BINARY` as "path version" lines: the main module, each dependency after its replacement, and stdlib. */
function goVersionM(binary: string): string[] {
  const lines = run('go', ['version', '-m', binary], '/').split('\n');
  const goVersion = lines[0]!.split(': ')[1]!.split(' ')[0]!;
  const modules: string[] = [];
  for (const line of lines.slice(1)) {
    const [, kind, path, version] = line.split('\t');
    if (kind === 'mod' || kind === 'dep') modules.push(`${path} ${version}`);
    else if (kind === '=>') modules[modules.length - 1] = `${path} ${version || '(devel)'}`;
  }
  return [...modules, `stdlib ${goVersion}`].sort();
}

async function catalogBinary(path: string) {
  const result = await goBinaryCataloger.catalog(
    [{ file: { path, mode: 0o100755, size: diskContent(path).size, layerDigest: 'sha256:l', uid: 0, gid: 0 }, content: diskContent(path) }],
    {},
  );
  return result;
}

it('go-binary cataloger equals go version -m on binaries built here (amd64; 386 stripped with a replace)', { skip: 'skip' in binaries && binaries.skip }, async () => {
  const { dir } = binaries as { dir: string };
  for (const name of ['fixture-amd64', 'fixture-386-stripped']) {
    const binary = join(dir, name);
    const result = await catalogBinary(binary);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.packages.map((p) => `${p.name} ${p.version}`).sort(), goVersionM(binary), name);
  }
  const amd64 = (await catalogBinary(join(dir, 'fixture-amd64'))).packages;
  const text = amd64.find((p) => p.name === 'golang.org/x/text')!;
  assert.equal(text.purl, 'pkg:golang/golang.org/x/text@v0.3.5');
  assert.equal(text.ecosystem, 'Go');
  assert.equal(text.metadata?.['architecture'], 'amd64');
  const replaced = (await catalogBinary(join(dir, 'fixture-386-stripped'))).packages.find((p) => p.name === 'gopkg.in/yaml.v2')!;
  assert.equal(replaced.version, 'v2.2.4');
  assert.equal(replaced.metadata?.['replaces'], 'gopkg.in/yaml.v2@v2.2.2');

  // Without section headers (as sstrip leaves a binary) the blob is found in the first writable segment.
  const bytes = new Uint8Array(readFileSync(join(dir, 'fixture-amd64')));
  const header = new DataView(bytes.buffer);
  header.setBigUint64(40, 0n, true); // e_shoff
  header.setUint16(60, 0, true); // e_shnum
  const noSections = await goBinaryCataloger.catalog([{ file: { path: '/app/fixture', mode: 0o100755, size: bytes.length, layerDigest: 'sha256:l', uid: 0, gid: 0 }, content: bytesContent(bytes) }], {});
  assert.deepEqual(noSections.packages.map((p) => `${p.name} ${p.version}`).sort(), goVersionM(join(dir, 'fixture-amd64')));
});

/** Go programs installed on this machine by Debian packages and vendors, built by Go 1.19 to 1.24 (boringcrypto too). */
const MACHINE_BINARIES = ['/usr/bin/skopeo', '/usr/bin/etcd', '/usr/bin/umoci', '/usr/bin/kubectl', '/usr/local/bin/terraform', '/usr/bin/local-extract', '/usr/local/bin/docker'].filter((p) => existsSync(p));

it("go-binary cataloger equals go version -m on this machine's Go programs", { skip: (MACHINE_BINARIES.length === 0 || !toolAvailable('go')) && 'no Go programs or no go here' }, async () => {
  for (const binary of MACHINE_BINARIES) {
    const result = await catalogBinary(binary);
    assert.deepEqual(result.problems, [], binary);
    assert.deepEqual(result.packages.map((p) => `${p.name} ${p.version}`).sort(), goVersionM(binary), binary);
  }
});

it('go-binary: non-Go ELF files, scripts and truncated ELF files give no packages; a corrupt header is a problem', async () => {
  const input = (path: string, bytes: Uint8Array) => ({ file: { path, mode: 0o100755, size: bytes.length, layerDigest: 'sha256:l', uid: 0, gid: 0 }, content: bytesContent(bytes) });
  const notGo = await catalogBinary('/bin/true');
  assert.deepEqual(notGo, { packages: [], problems: [] });
  const script = new TextEncoder().encode('#!/bin/sh\necho hello, this is long enough to be an ELF header but it is not one\n');
  const truncatedHeader = Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, ...new Array(57).fill(0)]);
  // An ELF header whose section table lies beyond the end of the file.
  const view = new DataView(truncatedHeader.buffer);
  view.setBigUint64(40, 1_000_000n, true);
  view.setUint16(58, 64, true);
  view.setUint16(60, 10, true);
  const result = await goBinaryCataloger.catalog([input('/bin/script', script), input('/bin/corrupt', truncatedHeader)], {});
  assert.deepEqual(result.packages, []);
  assert.deepEqual(result.problems.map((p) => [p.path, p.message]), [['/bin/corrupt', 'section header table runs past the end of the file']]);
});
