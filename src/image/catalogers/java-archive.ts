import { PackageURL } from 'packageurl-js';
import { isRegularFile, type Cataloger, type CatalogProblem, type FileContent, type Package } from './cataloger.js';
import { parseJarManifest, parseJavaProperties } from './java-manifest.js';
import { zipEntries, zipEntryContent, type ZipEntry } from './zip-archive.js';
import { compareText } from '../../core/model/text-order.js';

const ARCHIVE = /\.(?:jar|war|ear|jpi|hpi|par|sar|kar|rar)$/i;
const POM_PROPERTIES = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
/** Nested archives are followed this deep (a war in an ear holding jars is depth 2). */
const MAX_DEPTH = 4;
/** A deflated nested archive is inflated into memory: bounded. */
const MAX_NESTED_BYTES = 512 * 1024 * 1024;
const MAX_TEXT_BYTES = 4 * 1024 * 1024;

async function entryText(archive: FileContent, entry: ZipEntry): Promise<string> {
  const content = await zipEntryContent(archive, entry, MAX_TEXT_BYTES);
  return new TextDecoder().decode(await content.read(0, content.size));
}

function mavenPackage(groupId: string | undefined, artifactId: string, version: string, licenses: string[], layerDigest: string, path: string, evidence: string): Package {
  return {
    ecosystem: 'Maven',
    name: groupId ? `${groupId}:${artifactId}` : artifactId,
    version,
    // A Maven purl needs the group; without it the archive is only a generic component.
    purl: groupId
      ? new PackageURL('maven', groupId, artifactId, version, undefined, undefined).toString()
      : new PackageURL('generic', undefined, artifactId, version, undefined, undefined).toString(),
    ...(licenses.length > 0 ? { licenses } : {}),
    locations: [{ layerDigest, path }],
    foundBy: 'java-archive',
    metadata: { evidence, ...(groupId ? {} : { groupId: 'unknown' }) },
  };
}

/** "log4j-core-2.14.1.jar" → artifactId "log4j-core", version "2.14.1". */
function nameAndVersionFromFileName(path: string): { artifactId: string; version?: string } {
  const base = path.slice(path.lastIndexOf('/') + 1).replace(ARCHIVE, '');
  const m = /^(.+?)-(\d[\w.+-]*)$/.exec(base);
  return m ? { artifactId: m[1]!, version: m[2]! } : { artifactId: base };
}

function pomLicenses(pomXml: string): string[] {
  const licenses = /<licenses>([\s\S]*?)<\/licenses>/.exec(pomXml)?.[1] ?? '';
  return [...licenses.matchAll(/<name>\s*([^<]+?)\s*<\/name>/g)].map((m) => m[1]!);
}

async function catalogArchive(
  archive: FileContent,
  path: string,
  layerDigest: string,
  depth: number,
  packages: Package[],
  problems: CatalogProblem[],
): Promise<void> {
  const problem = (where: string, message: string): void => {
    problems.push({ catalogerId: 'java-archive', layerDigest, path: where, message });
  };
  let entries: ZipEntry[];
  try {
    entries = await zipEntries(archive);
  } catch (error) {
    problem(path, (error as Error).message);
    return;
  }
  const byName = new Map(entries.map((e) => [e.name, e]));
  let manifest = new Map<string, string>();
  const manifestEntry = byName.get('META-INF/MANIFEST.MF');
  if (manifestEntry) {
    try {
      manifest = parseJarManifest(await entryText(archive, manifestEntry));
    } catch (error) {
      problem(`${path}!/${manifestEntry.name}`, (error as Error).message);
    }
  }
  const manifestLicenses = manifest.get('bundle-license') ? [manifest.get('bundle-license')!] : [];
  const poms = entries.filter((e) => POM_PROPERTIES.test(e.name)).sort((a, b) => compareText(a.name, b.name));
  for (const pom of poms) {
    try {
      const properties = parseJavaProperties(await entryText(archive, pom));
      const groupId = properties.get('groupId');
      const artifactId = properties.get('artifactId');
      const version = properties.get('version');
      if (!groupId || !artifactId || !version) {
        problem(`${path}!/${pom.name}`, 'pom.properties without groupId, artifactId or version');
        continue;
      }
      const pomXml = byName.get(pom.name.replace(/pom\.properties$/, 'pom.xml'));
      const licenses = pomXml ? pomLicenses(await entryText(archive, pomXml)) : [];
      packages.push(mavenPackage(groupId, artifactId, version, licenses.length > 0 ? licenses : manifestLicenses, layerDigest, path, pom.name));
    } catch (error) {
      problem(`${path}!/${pom.name}`, (error as Error).message);
    }
  }
  if (poms.length === 0) {
    // No Maven metadata: the file name and manifest say what the archive is.
    const fromName = nameAndVersionFromFileName(path);
    const version = manifest.get('implementation-version') ?? manifest.get('bundle-version') ?? fromName.version;
    const artifactId = fromName.version ? fromName.artifactId : (manifest.get('implementation-title') ?? manifest.get('bundle-symbolicname')?.split(';')[0] ?? fromName.artifactId);
    // Implementation-Vendor-Id is often the vendor's domain rather than the groupId (commons-collections 3.2.1
    // says "org.apache"), so the group stays unknown rather than guessed.
    if (version) packages.push(mavenPackage(undefined, artifactId, version, manifestLicenses, layerDigest, path, 'META-INF/MANIFEST.MF and file name'));
  }
  if (depth >= MAX_DEPTH) return;
  for (const entry of entries.filter((e) => ARCHIVE.test(e.name) && !e.name.endsWith('/'))) {
    const nestedPath = `${path}!/${entry.name}`;
    try {
      await catalogArchive(await zipEntryContent(archive, entry, MAX_NESTED_BYTES), nestedPath, layerDigest, depth + 1, packages, problems);
    } catch (error) {
      problem(nestedPath, (error as Error).message);
    }
  }
}

/**
 * Java archives (jar, war, ear and plugin archives): every Maven artifact whose META-INF/maven/…/pom.properties
 * is inside (a shaded jar holds many), else the archive itself from its manifest and file name; nested archives
 * (WEB-INF/lib, BOOT-INF/lib, an ear's modules) are followed, their location written "outer.war!/WEB-INF/lib/x.jar".
 */
export const javaArchiveCataloger: Cataloger = {
  id: 'java-archive',
  yieldsToOsPackages: true,
  wants: (file) => ARCHIVE.test(file.path) && isRegularFile(file),
  async catalog(inputs) {
    const packages: Package[] = [];
    const problems: CatalogProblem[] = [];
    for (const input of [...inputs].sort((a, b) => compareText(a.file.path, b.file.path))) {
      await catalogArchive(input.content, input.file.path, input.file.layerDigest, 0, packages, problems);
    }
    return { packages, problems };
  },
};
