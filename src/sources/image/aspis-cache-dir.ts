import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Aspis's cache folder: $ASPIS_CACHE_DIR, else $XDG_CACHE_HOME/aspis, else ~/.cache/aspis. Image scans write only
 * below it (large wanted files spilled during a scan, removed when it ends).
 */
export function aspisCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ASPIS_CACHE_DIR) return env.ASPIS_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'aspis');
}
