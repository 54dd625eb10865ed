import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where Aspis records image scan results unless told otherwise: $ASPIS_SCAN_RESULTS, else
 * $XDG_CACHE_HOME/aspis/results/scans.sqlite, else ~/.cache/aspis/results/scans.sqlite.
 */
export function defaultScanResultsPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ASPIS_SCAN_RESULTS) return env.ASPIS_SCAN_RESULTS;
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'aspis', 'results', 'scans.sqlite');
}
