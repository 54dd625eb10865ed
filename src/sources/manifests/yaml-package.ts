/**
 * The `yaml` package, loaded the first time it is needed: manifests read it only for the documents Aspis's own
 * reader leaves to it (fast-positions.ts), and loading it costs each thread of a scan ~25 ms that most never need.
 * Synchronous (a CommonJS require), as the readers that call it are.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let loaded: typeof Yaml | undefined;

export function yamlPackage(): typeof Yaml {
  return (loaded ??= createRequire(import.meta.url)('yaml') as typeof Yaml);
}
