/**
 * Whether a scan has a configuration file to read, answered without loading the configuration's parser and schema
 * (the `yaml` and `zod` packages take each thread of a scan ~90 ms to load): most scans have none.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AspisConfig } from './parse-config.js';

export const CONFIG_FILE_NAMES = ['.aspis.yaml', '.aspis.yml'] as const;

/** The configuration used when there is no `.aspis.yaml`: every default. */
export function defaultConfig(): AspisConfig {
  return {};
}

/** The configuration files present in `cwd` (absolute paths, `.aspis.yaml` first); not in parent folders. */
export function configFilesIn(cwd: string): string[] {
  return CONFIG_FILE_NAMES.map((name) => resolve(cwd, name)).filter((path) => existsSync(path));
}

/** Whether loadConfig (load-config.ts) would read a file: one is named, or one is in `cwd`. */
export function hasConfigFile(options: { path?: string; cwd: string }): boolean {
  return options.path !== undefined || configFilesIn(options.cwd).length > 0;
}
