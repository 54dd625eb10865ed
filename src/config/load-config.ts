/**
 * Finds and reads `.aspis.yaml`. The only file of src/config that does I/O; validation is parse-config.ts.
 *
 * - `path` given: that file must exist and be readable, otherwise an error (and defaults).
 * - no `path`: `.aspis.yaml` or `.aspis.yml` in `cwd` (not in parent folders); neither → defaults, no error; both → an
 *   error (which one is meant is unclear) and `.aspis.yaml` is used.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { InputError } from '../core/model/report.js';
import type { AspisConfig } from './parse-config.js';
import { defaultConfig, parseConfig } from './parse-config.js';
import { CONFIG_FILE_NAMES, configFilesIn } from './config-file.js';

export type { AspisConfig, ConfigOrigin } from './parse-config.js';
export { defaultConfig, parseConfig } from './parse-config.js';

export { CONFIG_FILE_NAMES } from './config-file.js';

export interface LoadedConfig {
  config: AspisConfig;
  errors: InputError[];
  /** Absolute path of the file read; absent when defaults are used because there is no file. */
  path?: string;
}

export function loadConfig(options: { path?: string; cwd: string }): LoadedConfig {
  const { cwd } = options;
  if (options.path !== undefined) {
    const absolute = resolve(cwd, options.path);
    if (!existsSync(absolute)) {
      return { config: defaultConfig(), errors: [{ source: options.path, message: 'configuration file not found' }] };
    }
    return read(absolute, options.path);
  }
  const found = configFilesIn(cwd);
  if (found.length === 0) return { config: defaultConfig(), errors: [] };
  const [chosen] = found as [string, ...string[]];
  const loaded = read(chosen, display(cwd, chosen));
  if (found.length > 1) {
    loaded.errors.unshift({
      source: display(cwd, found[1]!),
      message: `both ${CONFIG_FILE_NAMES.join(' and ')} exist; ${CONFIG_FILE_NAMES[0]} is used: remove the other`,
    });
  }
  return loaded;
}

function read(absolute: string, shown: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = code === 'EISDIR' ? 'is a directory, not a configuration file' : `cannot read the configuration file: ${(error as Error).message}`;
    return { config: defaultConfig(), errors: [{ source: shown, message }], path: absolute };
  }
  const { config, errors } = parseConfig(text, shown);
  return { config, errors, path: absolute };
}

function display(cwd: string, absolute: string): string {
  const rel = relative(cwd, absolute);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute;
}
