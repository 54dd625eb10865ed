import { it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesContent } from '../../../src/image/catalogers/cataloger.js';
import { javaArchiveCataloger } from '../../../src/image/catalogers/java-archive.js';
import { cachedFixture, run, toolAvailable } from '../real-fixtures.js';
import { directoryInputs } from './directory-inputs.js';

/** log4j-core 2.14.1 (Log4Shell, CVE-2021-44228), jackson-databind 2.9.8, commons-collections 3.2.1 (CVE-2015-7501). */
const POM = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example.aspis</groupId>
  <artifactId>fixture</artifactId>
  <version>1.0.0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>2.14.1</version></dependency>
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId><version>2.9.8</version></dependency>
    <dependency><groupId>commons-collections</groupId><artifactId>commons-collections</artifactId><version>3.2.1</version></dependency>
  </dependencies>
</project>
`;

const fixture = toolAvailable('mvn') && toolAvailable('jar')
  ? cachedFixture('java-archives', `${POM} war(deflated) boot(stored) ear`, (dir) => {
      writeFileSync(join(dir, 'pom.xml'), POM);
      run('mvn', ['-q', '-B', 'dependency:copy-dependencies', '-DoutputDirectory=lib'], dir);
      run('mvn', ['-q', '-B', 'dependency:list', '-DoutputFile=dependency-list.txt'], dir);
      const jars = readdirSync(join(dir, 'lib'));
      // A web application: nested jars deflated (jar's default).
      mkdirSync(join(dir, 'war/WEB-INF/lib'), { recursive: true });
      for (const jar of jars) copyFileSync(join(dir, 'lib', jar), join(dir, 'war/WEB-INF/lib', jar));
      writeFileSync(join(dir, 'war/index.html'), '<p>fixture</p>');
      mkdirSync(join(dir, 'images/app'), { recursive: true });
      run('jar', ['--create', '--file', join(dir, 'images/app/app.war'), '-C', join(dir, 'war'), '.'], dir);
      // A Spring Boot style executable jar: nested jars stored uncompressed.
      mkdirSync(join(dir, 'boot/BOOT-INF/lib'), { recursive: true });
      for (const jar of jars) copyFileSync(join(dir, 'lib', jar), join(dir, 'boot/BOOT-INF/lib', jar));
      run('jar', ['--create', '--no-compress', '--file', join(dir, 'images/app/boot.jar'), '-C', join(dir, 'boot'), '.'], dir);
      // An enterprise archive holding the war.
      mkdirSync(join(dir, 'ear'));
      copyFileSync(join(dir, 'images/app/app.war'), join(dir, 'ear/app.war'));
      run('jar', ['--create', '--file', join(dir, 'images/app/app.ear'), '-C', join(dir, 'ear'), '.'], dir);
    })
  : { skip: 'mvn or jar is not installed' };

/** mvn dependency:list: "group:artifact:jar:version:scope" lines → "group:artifact version". */
function dependencyList(dir: string): string[] {
  return readFileSync(join(dir, 'dependency-list.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim().split(':'))
    .filter((f) => f.length >= 5)
    .map(([group, artifact, , version]) => `${group}:${artifact} ${version}`)
    .sort();
}

it('java-archive cataloger on jars from Maven Central equals mvn dependency:list', { skip: 'skip' in fixture && fixture.skip }, async () => {
  const { dir } = fixture as { dir: string };
  const result = await javaArchiveCataloger.catalog(directoryInputs(dir, [javaArchiveCataloger], { subdirs: ['lib'] }), {});
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.packages.map((p) => `${p.name} ${p.version}`).sort(), dependencyList(dir));
  const log4j = result.packages.find((p) => p.name === 'org.apache.logging.log4j:log4j-core')!;
  assert.equal(log4j.ecosystem, 'Maven');
  assert.equal(log4j.purl, 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1');
  // log4j-core's pom.xml inherits its licence from a parent pom; the manifest's Bundle-License names it.
  assert.deepEqual(log4j.licenses, ['https://www.apache.org/licenses/LICENSE-2.0.txt']);
  assert.equal(log4j.locations[0]!.path, '/lib/log4j-core-2.14.1.jar');
});

it('java-archive: a war (deflated jars), a Spring Boot jar (stored jars) and an ear holding the war each list every dependency', { skip: 'skip' in fixture && fixture.skip }, async () => {
  const { dir } = fixture as { dir: string };
  const result = await javaArchiveCataloger.catalog(directoryInputs(join(dir, 'images'), [javaArchiveCataloger]), {});
  assert.deepEqual(result.problems, []);
  const expected = dependencyList(dir);
  for (const [archive, prefix] of [['app.war', '/app/app.war!/WEB-INF/lib/'], ['boot.jar', '/app/boot.jar!/BOOT-INF/lib/'], ['app.ear', '/app/app.ear!/app.war!/WEB-INF/lib/']] as const) {
    const inside = result.packages.filter((p) => p.locations[0]!.path.startsWith(prefix));
    assert.deepEqual(inside.map((p) => `${p.name} ${p.version}`).sort(), expected, archive);
  }
  // The war and ear themselves carry no Maven metadata and no version: nothing else is reported.
  assert.equal(result.packages.length, expected.length * 3);
});

it('java-archive: a truncated archive is a problem naming it; a jar without pom.properties is named from its manifest and file name', async () => {
  const { dir } = fixture as { dir: string };
  const file = (path: string, bytes: Uint8Array) => ({ file: { path, mode: 0o100644, size: bytes.length, layerDigest: 'sha256:l', uid: 0, gid: 0 }, content: bytesContent(bytes) });
  const inputs = [file('/opt/broken.jar', new TextEncoder().encode('PK\u0003\u0004 not really'))];
  if ('dir' in fixture) {
    // A real jar rebuilt without its META-INF/maven folder.
    const work = join(dir, 'no-maven');
    mkdirSync(work, { recursive: true });
    run('jar', ['--extract', '--file', join(dir, 'lib/commons-collections-3.2.1.jar')], work);
    run('rm', ['-rf', 'META-INF/maven'], work);
    run('jar', ['--create', '--file', join(dir, 'plain-3.2.1.jar'), '--manifest', 'META-INF/MANIFEST.MF', '-C', work, 'org'], work);
    inputs.push(file('/opt/commons-collections-3.2.1.jar', new Uint8Array(readFileSync(join(dir, 'plain-3.2.1.jar')))));
  }
  const result = await javaArchiveCataloger.catalog(inputs, {});
  assert.deepEqual(result.problems.map((p) => [p.path, p.message]), [['/opt/broken.jar', 'not a zip archive (no end of central directory record)']]);
  if ('dir' in fixture) {
    assert.deepEqual(result.packages.map((p) => [p.name, p.version, p.metadata?.['groupId']]), [['commons-collections', '3.2.1', 'unknown']]);
  }
});
