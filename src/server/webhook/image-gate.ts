/**
 * Image gating at admission, compiled from the webhook configuration's `images` section: the registry allowlist and
 * digest pinning are the library's own checks (untrusted-registry, image-digest-pinning) run with the section's
 * settings, so they report and are waived exactly as in a scan; the scan requirement reads Aspis's scan results
 * (image-scan-gate.ts). Namespaces choose the mode with the `aspis.io/images` label, like the Pod Security labels.
 */
import type { Check } from '../../core/model/check.js';
import type { CheckContext } from '../../core/model/check-context.js';
import type { InputError } from '../../core/model/report.js';
import type { ScanLookup } from '../../store/scan-results/scan-results-index.js';
import type { ScanRequirement } from './image-scan-gate.js';
import type { Mode, ProfileError } from './namespace-profile.js';
import { MODES, PROFILE_LABEL_PREFIX } from './namespace-profile.js';
import type { ImageGateConfig } from './webhook-config.js';

export const IMAGES_LABEL = `${PROFILE_LABEL_PREFIX}images`;
export type ImageGateMode = Mode | 'off';
const IMAGE_GATE_MODES: readonly ImageGateMode[] = [...MODES, 'off'];

/** The check ids whose semantics the allowlist and digest rules reuse. */
export const REGISTRY_CHECK_ID = 'untrusted-registry';
export const DIGEST_CHECK_ID = 'image-digest-pinning';

export interface ImageGate {
  /** Mode of namespaces without the label. */
  readonly defaultMode: Mode;
  /** untrusted-registry (when an allowlist is given) and image-digest-pinning (when requireDigest). */
  readonly checks: readonly Check[];
  /** Context the checks run with: the section's allowlist. */
  readonly ctx: CheckContext;
  readonly scan?: { readonly requirement: ScanRequirement; readonly lookup: ScanLookup };
}

/** The image gating mode of a namespace; an invalid label value reads as enforce (a typo never loosens it). */
export function imageModeOf(labels: Readonly<Record<string, string>> | undefined, defaultMode: Mode): { mode: ImageGateMode; error?: ProfileError } {
  const value = labels?.[IMAGES_LABEL];
  if (value === undefined) return { mode: defaultMode };
  if ((IMAGE_GATE_MODES as readonly string[]).includes(value)) return { mode: value as ImageGateMode };
  return { mode: 'enforce', error: { label: IMAGES_LABEL, value, message: `must be one of ${IMAGE_GATE_MODES.join(', ')}: evaluated as enforce` } };
}

export function compileImageGate(
  config: ImageGateConfig,
  checkById: (id: string) => Check | undefined,
  baseCtx: CheckContext,
  scanResults: ScanLookup | undefined,
  source: string,
): { gate: ImageGate; errors: InputError[] } {
  const errors: InputError[] = [];
  const checks: Check[] = [];
  for (const [wanted, id] of [
    [config.allowedRegistries.length > 0, REGISTRY_CHECK_ID],
    [config.requireDigest, DIGEST_CHECK_ID],
  ] as const) {
    if (!wanted) continue;
    const check = checkById(id);
    if (check) checks.push(check);
    else errors.push({ source, field: 'images', message: `the check "${id}" is not in the catalog` });
  }
  const gate: {
    defaultMode: Mode;
    checks: readonly Check[];
    ctx: CheckContext;
    scan?: { requirement: ScanRequirement; lookup: ScanLookup };
  } = { defaultMode: config.action, checks, ctx: { ...baseCtx, settings: { ...baseCtx.settings, allowedRegistries: config.allowedRegistries } } };
  if (config.requireScan) {
    if (scanResults) gate.scan = { requirement: config.requireScan, lookup: scanResults };
    else errors.push({ source, field: 'images.requireScan', message: 'no scan results to judge images by (the scan results store was not opened)' });
  }
  return { gate, errors };
}
