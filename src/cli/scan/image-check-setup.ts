/**
 * What the image checks of an image scan run with, read once from `.aspis.yaml` (the same file, rules and errors as
 * the manifest scans: `checks.enable/disable/severity`, `exceptions`) and reused for every image of a scan
 * (`scan cluster --images` scans many). Only the checks that target ContainerImage objects run, and only the
 * exceptions that can apply to them are used, so a config written for manifests does not report its manifest
 * exceptions as unused on every image.
 */
import { ALL_CHECKS } from '../../checks/index.js';
import type { Check } from '../../core/model/check.js';
import { isObjectCheck } from '../../core/model/check.js';
import type { CheckContext } from '../../core/model/check-context.js';
import type { InputError } from '../../core/model/report.js';
import { matchesGlob } from '../../core/model/resource-selector.js';
import type { Waiver } from '../../core/model/waiver.js';
import { ALL_CHECKS_WILDCARD, checkIdIndex } from '../../core/model/waiver.js';
import { checkContextFromConfig } from '../../config/check-context-from-config.js';
import { loadConfig } from '../../config/load-config.js';
import { selectChecks } from '../../config/select-checks.js';
import { waiversFromConfig } from '../../config/waivers-from-config.js';
import { CONTAINER_IMAGE_KIND } from '../../image/hygiene/container-image-object.js';

export interface ImageCheckSetup {
  /** The image checks that run, with configured severities. */
  readonly checks: readonly Check[];
  /** Every known check, so that exceptions naming a former id still match. */
  readonly catalog: readonly Check[];
  readonly ctx: CheckContext;
  /** The `.aspis.yaml` exceptions that can apply to ContainerImage objects. */
  readonly waivers: readonly Waiver[];
  /**
   * Problems of the configuration file (file, line, field), except its `vulnerabilities` section: reported with
   * every image, they make the scan fail.
   */
  readonly errors: readonly InputError[];
}

/** Whether a check evaluates ContainerImage objects (read from its declaration, never from its id). */
export function targetsContainerImages(check: Check): boolean {
  return isObjectCheck(check) && check.target.kinds.includes(CONTAINER_IMAGE_KIND);
}

/** The waivers that name an image check (or `*`) and whose kinds, if any, select ContainerImage. */
export function imageWaivers(waivers: readonly Waiver[], catalog: readonly Check[]): Waiver[] {
  const index = checkIdIndex(catalog);
  const imageCheckIds = new Set(catalog.filter(targetsContainerImages).map((c) => c.id));
  return waivers.filter((waiver) => {
    const kinds = waiver.selector.kinds;
    if (kinds && kinds.length > 0 && !kinds.some((k) => matchesGlob(k, CONTAINER_IMAGE_KIND))) return false;
    return waiver.checks.some((id) => id === ALL_CHECKS_WILDCARD || imageCheckIds.has(index.get(id) ?? id));
  });
}

/** Reads `.aspis.yaml` (`path`, else `.aspis.yaml`/`.aspis.yml` in `cwd` when present) into an ImageCheckSetup. */
export function loadImageCheckSetup(options: { path?: string; cwd: string }): ImageCheckSetup {
  const loaded = loadConfig(options.path !== undefined ? { path: options.path, cwd: options.cwd } : { cwd: options.cwd });
  const selection = selectChecks(ALL_CHECKS, loaded.config);
  return {
    checks: selection.checks.filter(targetsContainerImages),
    catalog: ALL_CHECKS,
    ctx: checkContextFromConfig(loaded.config),
    waivers: imageWaivers(waiversFromConfig(loaded.config), ALL_CHECKS),
    // The `vulnerabilities` section is the vulnerability triage's (vulnerability-triage-inputs.ts), which reports its errors.
    errors: [...loaded.errors.filter((e) => !e.field?.startsWith('vulnerabilities')), ...selection.errors],
  };
}
