/**
 * The check fixtures, found as src/checks/fixtures.test.ts finds them (every check's fixtures/{pass,fail}.*), so
 * suites built on this list grow as fixtures are added, and the configuration their headers ask for.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ALL_CHECKS } from '../../src/checks/index.js';
import { REPO_ROOT } from '../cli/run-cli.js';

export const CHECKS_DIR = join(REPO_ROOT, 'src/checks');

export interface Fixture {
  /** Relative to src/checks, e.g. `workload/resource-limits/fixtures/pass.bounded.yaml`. */
  path: string;
  text: string;
}

export interface FixtureObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [field: string]: unknown };
  [field: string]: unknown;
}

export function checkFixtures(): Fixture[] {
  const found: Fixture[] = [];
  for (const check of ALL_CHECKS) {
    const dir = join(CHECKS_DIR, check.category, check.id, 'fixtures');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).sort()) {
      if (!file.startsWith('pass.') && !file.startsWith('fail.')) continue;
      const path = join(dir, file);
      found.push({ path: relative(CHECKS_DIR, path), text: readFileSync(path, 'utf8') });
    }
  }
  return found;
}

function header(text: string, key: string): string | undefined {
  return new RegExp(`^#\\s*${key}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
}

/** Writes the configuration a fixture's scans use: its `# pss-version:` and `# settings:`, every opt-in check on. */
export function writeFixtureConfig(fixture: Fixture, path: string): void {
  const config: Record<string, unknown> = { checks: { enable: ALL_CHECKS.filter((c) => c.optIn).map((c) => c.id) } };
  const version = header(fixture.text, 'pss-version');
  if (version) config['pssVersion'] = version;
  const settings = header(fixture.text, 'settings');
  if (settings) config['settings'] = JSON.parse(settings);
  writeFileSync(path, JSON.stringify(config));
}

/** The fixture's objects in document order, List items flattened. */
export function fixtureObjects(text: string): FixtureObject[] {
  const objects: FixtureObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    const value = doc.toJS() as FixtureObject | null;
    if (value === null) continue;
    if (value.kind.endsWith('List') && Array.isArray(value['items'])) objects.push(...(value['items'] as FixtureObject[]));
    else objects.push(value);
  }
  return objects;
}
