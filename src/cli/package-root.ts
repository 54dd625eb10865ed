import { existsSync } from 'node:fs';

/**
 * The folder holding Aspis' package.json: the nearest one above this module, the rule Node itself uses. Walking up
 * keeps it right wherever the code sits — src/cli/ when run from sources (tsx), a shared chunk in dist/chunks/ when
 * bundled (tools/build.ts), node_modules/aspis/ when installed.
 */
export function packageRoot(): URL {
  let dir = new URL('./', import.meta.url);
  while (!existsSync(new URL('package.json', dir))) {
    const parent = new URL('../', dir);
    if (parent.href === dir.href) throw new Error(`no package.json above ${import.meta.url}`);
    dir = parent;
  }
  return dir;
}
