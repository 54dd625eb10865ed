/**
 * One image scanned: read (any transport), catalogued, matched against the vulnerability database and checked by
 * the image checks of the check library. Shared by `aspis scan image` and `aspis scan cluster --images` so both
 * report the same thing for the same image.
 *
 * The image checks run through the manifest scanners' pipeline (ScanSession: selected checks with configured
 * severities, `.aspis.yaml` exceptions, former ids) over one ContainerImage object built from the facts the layer
 * walk collected (src/image/hygiene/container-image-object.ts).
 */
import type { Finding } from '../../core/model/finding.js';
import type { WaiverReport } from '../../core/model/report.js';
import { refOf, type Resource } from '../../core/model/resource.js';
import { containerImageObject } from '../../image/hygiene/container-image-object.js';
import { ImageFactsInspector } from '../../image/hygiene/image-facts-inspector.js';
import type { ImageScanReport } from '../../outputs/image-scan-report.js';
import { ScanSession } from '../../scan/scan-session.js';
import { readImage, type ReadImageResult } from '../../sources/image/read-image.js';
import type { VulnDatabase } from '../../store/vuln-db/vuln-database.js';
import { matchPackages } from '../../vuln/matching/match-packages.js';
import { formatUnmatchedPackage, unmatchableVersions } from '../../vuln/matching/unmatchable-versions.js';
import { loadImageCheckSetup, type ImageCheckSetup } from './image-check-setup.js';

export interface ScanOneImageOptions {
  readonly platform?: string;
  readonly insecure?: boolean;
  readonly cacheDir?: string;
  /**
   * The image checks to run and the exceptions to apply (`loadImageCheckSetup`, once per scan). Default: read
   * `.aspis.yaml` from the current folder when there is one, as the manifest scans do.
   */
  readonly config?: ImageCheckSetup;
  /** The scan's clock: waiver expiry and the OS end-of-life date are judged against it (default: now). */
  readonly now?: Date;
}

/**
 * `findings` holds the image check findings in effect and the waived ones (those carry `waiver`: who waived them, why,
 * until when), as Finding models them. `checkWaivers` lists the exceptions to look at (expired, unused, invalid).
 */
export interface ScannedImage extends ImageScanReport {
  readonly checkWaivers: readonly WaiverReport[];
}

export async function scanOneImage(input: string, db: VulnDatabase, options: ScanOneImageOptions = {}): Promise<ScannedImage> {
  const now = options.now ?? new Date();
  const config = options.config ?? loadImageCheckSetup({ cwd: process.cwd() });
  const inspector = new ImageFactsInspector();
  const result = await readImage(input, {
    ...(options.platform ? { platform: options.platform } : {}),
    ...(options.insecure ? { insecure: true } : {}),
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    inspector,
  });
  const target = {
    name: result.image.name,
    ...(result.image.manifestDigest ? { manifestDigest: result.image.manifestDigest } : {}),
    configDigest: result.image.configDigest,
    ...(result.catalog.os ? { os: result.catalog.os.prettyName ?? result.catalog.os.id } : {}),
  };
  const packages = result.catalog.packages;
  let checked: ReturnType<typeof runImageChecks>;
  try {
    checked = runImageChecks(result, inspector, config, now);
  } catch (error) {
    // A bug in building the image's facts must not lose its packages and vulnerabilities: report it, keep the rest.
    checked = { findings: [], waivers: [], problems: [`image checks did not run: ${(error as Error).message}`] };
  }
  return {
    target,
    packages,
    vulnerabilities: matchPackages(db, packages),
    findings: checked.findings,
    problems: [...result.problemLines, ...checked.problems],
    checkWaivers: checked.waivers,
    notes: unmatchableVersions(packages).map(formatUnmatchedPackage),
  };
}

function runImageChecks(
  result: ReadImageResult,
  inspector: ImageFactsInspector,
  config: ImageCheckSetup,
  now: Date,
): { findings: Finding[]; waivers: WaiverReport[]; problems: string[] } {
  const { image } = result;
  const object = containerImageObject({
    name: image.name,
    transport: image.transport,
    tags: image.tags,
    ...(image.manifestDigest ? { manifestDigest: image.manifestDigest } : {}),
    ...(image.manifest?.annotations ? { manifestAnnotations: image.manifest.annotations } : {}),
    configDigest: image.configDigest,
    config: image.config,
    ...(result.catalog.os ? { os: result.catalog.os } : {}),
    files: () => result.files(),
    secrets: inspector.secrets,
    secretsNotListed: inspector.secretsNotListed,
    secretScan: { files: inspector.filesScanned, bytes: inspector.bytesScanned },
    ...(inspector.passwd !== undefined ? { passwd: inspector.passwd } : {}),
    scannedOn: now.toISOString().slice(0, 10),
  });
  const resource: Resource = { object, ref: refOf(object), origin: { type: 'file', file: image.name, documentIndex: 0 } };
  const session = new ScanSession({
    checks: config.checks,
    catalog: config.catalog,
    ctx: config.ctx,
    waivers: [...config.waivers],
    now,
    inputs: [image.name],
    toolVersion: '',
  });
  session.addErrors(config.errors);
  session.add([resource]);
  const report = session.finish();
  const problems = report.errors.map((e) => {
    const where = [e.source, e.line, e.line !== undefined ? e.column : undefined].filter((x) => x !== undefined).join(':');
    return `${where}: ${e.field ? `${e.field}: ` : ''}${e.message}`;
  });
  return { findings: [...report.findings, ...report.waived], waivers: report.waivers, problems };
}
