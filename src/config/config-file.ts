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

/** Whether loadConfig (load-config.ts) would read a file: one is named, or `.aspis.yaml`/`.aspis.yml` is in `cwd`. */
export function hasConfigFile(options: { path?: string; cwd: string }): boolean {
  return options.path !== undefined || CONFIG_FILE_NAMES.some((name) => existsSync(resolve(options.cwd, name)));
}
