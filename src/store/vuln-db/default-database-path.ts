import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the vulnerability database lives unless --db says otherwise: $ASPIS_VULN_DB, else
 * $XDG_CACHE_HOME/aspis/db/osv.sqlite, else ~/.cache/aspis/db/osv.sqlite.
 */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ASPIS_VULN_DB) return env.ASPIS_VULN_DB;
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'aspis', 'db', 'osv.sqlite');
}
