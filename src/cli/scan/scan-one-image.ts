/**
 * One image scanned: read (any transport), catalogued, matched against the vulnerability database and checked by
 * the image checks of the check library. Shared by `aspis scan image` and `aspis scan cluster --images` so both
 * report the same thing for the same image.
 */
import type { ImageScanReport } from '../../outputs/image-scan-report.js';
import { readImage } from '../../sources/image/read-image.js';
import type { VulnDatabase } from '../../store/vuln-db/vuln-database.js';
import { matchPackages } from '../../vuln/matching/match-packages.js';

export interface ScanOneImageOptions {
  readonly platform?: string;
  readonly insecure?: boolean;
  readonly cacheDir?: string;
}

export async function scanOneImage(input: string, db: VulnDatabase, options: ScanOneImageOptions = {}): Promise<ImageScanReport> {
  const result = await readImage(input, {
    ...(options.platform ? { platform: options.platform } : {}),
    ...(options.insecure ? { insecure: true } : {}),
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
  });
  const target = {
    name: result.image.name,
    ...(result.image.manifestDigest ? { manifestDigest: result.image.manifestDigest } : {}),
    configDigest: result.image.configDigest,
    ...(result.catalog.os ? { os: result.catalog.os.prettyName ?? result.catalog.os.id } : {}),
  };
  const packages = result.catalog.packages;
  return { target, packages, vulnerabilities: matchPackages(db, packages), findings: [], problems: [...result.problemLines] };
}
