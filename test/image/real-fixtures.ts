/**
 * Real package trees built with the ecosystems' own tools (pip, npm, go, mvn) from their registries, once per
 * machine, in a cache folder: tests compare catalogers with those tools' own listings of the same tree.
 * A fixture that cannot be built (no registry reachable) makes its tests skip with the reason.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const CACHE = join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'aspis-test', 'catalogers');

export type Fixture = { dir: string } | { skip: string };

/** Builds `name` with `build(dir)` into the cache unless a build with the same recipe is there already. */
export function cachedFixture(name: string, recipe: string, build: (dir: string) => void): Fixture {
  const dir = join(CACHE, `${name}-${createHash('sha256').update(recipe).digest('hex').slice(0, 12)}`);
  if (existsSync(join(dir, '.complete'))) return { dir };
  const work = `${dir}.building-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    build(work);
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    return { skip: `could not build the ${name} fixture: ${(error as Error).message.split('\n').slice(0, 3).join(' ')}` };
  }
  writeFileSync(join(work, '.complete'), recipe);
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  return { dir };
}

export function run(command: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): string {
  return execFileSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
}

export function toolAvailable(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
