import { readAll, type Cataloger, type CatalogInput, type CatalogProblem } from './cataloger.js';

/**
 * The image's operating system, from os-release(5): /etc/os-release, else /usr/lib/os-release.
 * `id` is lower-case ("debian", "ubuntu", "alpine", "rhel", "fedora", …); `versionId` is absent on rolling
 * releases (Debian sid, Alpine edge, Arch) — their codename or PRETTY_NAME says which.
 */
export interface OsRelease {
  readonly id: string;
  readonly versionId?: string;
  readonly versionCodename?: string;
  readonly name?: string;
  readonly prettyName?: string;
  readonly idLike: readonly string[];
  /** Where it was read. */
  readonly path: string;
  readonly layerDigest: string;
}

export const OS_RELEASE_PATHS = ['/etc/os-release', '/usr/lib/os-release'] as const;

/**
 * Parses os-release(5) text: KEY=value lines, values optionally in single or double quotes with shell-style
 * backslash escapes inside double quotes; comments and blank lines ignored.
 */
export function parseOsReleaseText(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1).replace(/\\([\\$"`])/g, '$1');
    } else if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) {
      value = value.slice(1, -1);
    }
    fields.set(key, value);
  }
  return fields;
}

export function osReleaseFrom(text: string, path: string, layerDigest: string): OsRelease | undefined {
  const fields = parseOsReleaseText(text);
  const id = fields.get('ID')?.toLowerCase();
  if (!id) return undefined;
  const optional = (key: string): string | undefined => {
    const v = fields.get(key);
    return v === undefined || v === '' ? undefined : v;
  };
  const versionId = optional('VERSION_ID');
  const versionCodename = optional('VERSION_CODENAME');
  const name = optional('NAME');
  const prettyName = optional('PRETTY_NAME');
  return {
    id,
    ...(versionId ? { versionId } : {}),
    ...(versionCodename ? { versionCodename } : {}),
    ...(name ? { name } : {}),
    ...(prettyName ? { prettyName } : {}),
    idLike: (fields.get('ID_LIKE') ?? '').split(/\s+/).filter(Boolean).map((s) => s.toLowerCase()),
    path,
    layerDigest,
  };
}

/** Picks /etc/os-release over /usr/lib/os-release (the spec's order) and parses it. */
export async function findOsRelease(inputs: readonly CatalogInput[]): Promise<{ os?: OsRelease; problems: CatalogProblem[] }> {
  const problems: CatalogProblem[] = [];
  for (const path of OS_RELEASE_PATHS) {
    const input = inputs.find((i) => i.file.path === path);
    if (!input) continue;
    try {
      const text = new TextDecoder().decode(await readAll(input.content, 1024 * 1024));
      const os = osReleaseFrom(text, path, input.file.layerDigest);
      if (os) return { os, problems };
      problems.push({ catalogerId: 'os-release', layerDigest: input.file.layerDigest, path, message: 'no ID= line' });
    } catch (error) {
      problems.push({ catalogerId: 'os-release', layerDigest: input.file.layerDigest, path, message: (error as Error).message });
    }
  }
  return { problems };
}

/** Reports no packages itself: catalogImage reads its inputs first to build the context of the others. */
export const osReleaseCataloger: Cataloger = {
  id: 'os-release',
  wants: (file) => (OS_RELEASE_PATHS as readonly string[]).includes(file.path),
  catalog: async () => ({ packages: [], problems: [] }),
};
