/**
 * The webhook's own configuration (`aspis webhook serve --webhook-config FILE`): cluster defaults for namespaces
 * without Aspis labels, exemptions, which checks of the library run beside the Pod Security level in each mode,
 * break-glass, mutation, waivers from annotations, the failure policy and the review history. Modelled on
 * PodSecurity's AdmissionConfiguration (defaults + exemptions). Every key is optional; unknown keys are errors.
 * Check selection, severities, settings and exceptions (waivers) stay in `.aspis.yaml`, shared with the scanner.
 */
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { InputError } from '../../core/model/report.js';
import { SEVERITIES } from '../../core/model/severity.js';
import type { Severity } from '../../core/model/severity.js';
import { parseExpiry } from '../../core/model/waiver.js';
import { ExpirySchema } from '../../config/aspis-config-schema.js';
import type { Mode, Profile } from './namespace-profile.js';
import { LEVELS, MODES, parseProfileVersion } from './namespace-profile.js';
import type { ImageVulnerabilityWaiver } from './image-scan-gate.js';

const Level = z.enum(LEVELS as ['privileged', 'baseline', 'restricted'], { error: `expected one of ${LEVELS.join(', ')}` });
const Version = z
  .string({ error: 'expected "latest" or v1.N as a string' })
  .refine((text) => parseProfileVersion(text) !== undefined, { error: 'expected "latest" or v1.N (e.g. v1.34)' });
const Names = (what: string) => z.array(z.string({ error: `expected a ${what} (a string)` }).min(1), { error: `expected a list of ${what}s` });
/** Error of a strict map: names an unknown key, else the expected shape. */
const mapError = (shape: string) => (issue: { code?: string; keys?: string[] }) =>
  issue.code === 'unrecognized_keys' ? `unknown key${issue.keys!.length > 1 ? 's' : ''} ${issue.keys!.map((k) => `"${k}"`).join(', ')}: expected ${shape}` : `expected ${shape}`;

const PositiveNumber = (what: string) => z.number({ error: `expected ${what} (a number)` }).positive({ error: `${what} must be greater than 0` });

const ImagesSchema = z
  .strictObject(
    {
      action: z.enum(MODES as unknown as ['enforce', 'warn', 'audit'], { error: `expected one of ${MODES.join(', ')}` }).optional(),
      allowedRegistries: Names('registry').optional(),
      requireDigest: z.boolean({ error: 'expected true or false' }).optional(),
      requireScan: z
        .strictObject(
          {
            results: z.string({ error: 'expected a file path' }).min(1).optional(),
            maxAgeDays: PositiveNumber('a number of days').optional(),
            failOnSeverity: z.enum(SEVERITIES, { error: `expected one of ${SEVERITIES.join(', ')}` }).optional(),
            allowUnscanned: z.boolean({ error: 'expected true or false' }).optional(),
            refreshSeconds: PositiveNumber('a number of seconds').optional(),
            waivers: z
              .array(
                z.strictObject(
                  {
                    ids: Names('vulnerability id').min(1, { error: 'list at least one vulnerability id' }),
                    images: Names('registry or repository prefix').optional(),
                    reason: z.string({ error: 'a reason is required' }).trim().min(1, { error: 'a reason is required: write why the risk is accepted' }),
                    expires: ExpirySchema.optional(),
                  },
                  { error: mapError('a waiver {ids, images, reason, expires}') },
                ),
                { error: 'expected a list of waivers' },
              )
              .optional(),
          },
          { error: mapError('{results, maxAgeDays, failOnSeverity, allowUnscanned, refreshSeconds, waivers}') },
        )
        .optional(),
    },
    { error: mapError('{action, allowedRegistries, requireDigest, requireScan}') },
  )
  .describe('Image gating: allowed registries, digest pinning, and a recent enough scan without blocking vulnerabilities.');

const CheckSelection = z.union([z.literal('*'), Names('check id')], { error: 'expected a list of check ids, or "*" for every selected check' });

export const WebhookConfigSchema = z.strictObject(
  {
    defaults: z
      .strictObject(
        {
          enforce: Level.optional(),
          'enforce-version': Version.optional(),
          warn: Level.optional(),
          'warn-version': Version.optional(),
          audit: Level.optional(),
          'audit-version': Version.optional(),
        },
        { error: 'expected {enforce, enforce-version, warn, warn-version, audit, audit-version}' },
      )
      .optional()
      .describe('Profile of namespaces without aspis.io/* labels (default: privileged:latest for every mode).'),
    exemptions: z
      .strictObject(
        { namespaces: Names('namespace').optional(), usernames: Names('username').optional(), runtimeClassNames: Names('RuntimeClass name').optional() },
        { error: 'expected {namespaces, usernames, runtimeClassNames}' },
      )
      .optional(),
    checks: z
      .strictObject({ enforce: CheckSelection.optional(), warn: CheckSelection.optional(), audit: CheckSelection.optional() }, { error: 'expected {enforce, warn, audit}' })
      .optional()
      .describe('Checks of the library (as .aspis.yaml selects them, Pod Security checks aside) run in every non-exempt namespace, by mode.'),
    breakGlass: z
      .strictObject(
        { enabled: z.boolean().optional(), usernames: Names('username').optional(), groups: Names('group').optional() },
        { error: 'expected {enabled, usernames, groups}' },
      )
      .optional(),
    mutate: Names('check id').optional().describe('Checks whose fixes that only set unset fields /mutate applies.'),
    annotationWaivers: z.boolean({ error: 'expected true or false' }).optional().describe('Honour waiver.aspis.dev/* annotations at admission (default false: an object cannot waive its own checks).'),
    failurePolicy: z.enum(['Fail', 'Ignore'], { error: 'expected Fail or Ignore' }).optional(),
    history: z
      .strictObject({ file: z.string().min(1).optional(), objects: z.boolean().optional() }, { error: 'expected {file, objects}' })
      .optional(),
    images: ImagesSchema.optional(),
  },
  { error: 'expected a map (defaults, exemptions, checks, breakGlass, mutate, annotationWaivers, failurePolicy, history, images)' },
);

export type WebhookConfigFile = z.infer<typeof WebhookConfigSchema>;
export type CheckSelectionValue = z.infer<typeof CheckSelection>;

/** The configuration with every default filled in. */
export interface WebhookConfig {
  defaults: Profile;
  exemptions: { namespaces: string[]; usernames: string[]; runtimeClassNames: string[] };
  checks: { enforce: CheckSelectionValue; warn: CheckSelectionValue; audit: CheckSelectionValue };
  breakGlass: { enabled: boolean; usernames: string[]; groups: string[] };
  mutate: string[];
  annotationWaivers: boolean;
  failurePolicy: 'Fail' | 'Ignore';
  history: { file?: string; objects: boolean };
  /** Image gating; absent when the configuration has no `images` section. */
  images?: ImageGateConfig;
}

export interface ImageScanConfig {
  /** The scan results store (default: defaultScanResultsPath()). */
  results?: string;
  maxAgeDays: number;
  failOnSeverity: Severity;
  allowUnscanned: boolean;
  refreshSeconds: number;
  waivers: ImageVulnerabilityWaiver[];
}

export interface ImageGateConfig {
  /** What a failed image rule does in namespaces without an `aspis.io/images` label. */
  action: Mode;
  allowedRegistries: string[];
  requireDigest: boolean;
  requireScan?: ImageScanConfig;
}

export const IMAGE_SCAN_DEFAULTS = { maxAgeDays: 7, failOnSeverity: 'high', allowUnscanned: false, refreshSeconds: 30 } as const;

function resolveImages(file: NonNullable<WebhookConfigFile['images']>): ImageGateConfig {
  const images: ImageGateConfig = { action: file.action ?? 'enforce', allowedRegistries: file.allowedRegistries ?? [], requireDigest: file.requireDigest ?? false };
  const scan = file.requireScan;
  if (scan) {
    images.requireScan = {
      ...(scan.results !== undefined ? { results: scan.results } : {}),
      maxAgeDays: scan.maxAgeDays ?? IMAGE_SCAN_DEFAULTS.maxAgeDays,
      failOnSeverity: scan.failOnSeverity ?? IMAGE_SCAN_DEFAULTS.failOnSeverity,
      allowUnscanned: scan.allowUnscanned ?? IMAGE_SCAN_DEFAULTS.allowUnscanned,
      refreshSeconds: scan.refreshSeconds ?? IMAGE_SCAN_DEFAULTS.refreshSeconds,
      waivers: (scan.waivers ?? []).map((w) => {
        const expiry = w.expires !== undefined ? parseExpiry(w.expires) : undefined;
        return { ids: w.ids, images: w.images ?? [], reason: w.reason, ...(expiry && 'expiresAt' in expiry ? { expiresAt: expiry.expiresAt } : {}) };
      }),
    };
  }
  return images;
}

export function resolveWebhookConfig(file: WebhookConfigFile = {}): WebhookConfig {
  const defaults = {} as Profile;
  for (const mode of MODES) {
    const versionText = file.defaults?.[`${mode}-version`] ?? 'latest';
    defaults[mode] = { level: file.defaults?.[mode] ?? 'privileged', version: parseProfileVersion(versionText)!, versionText };
  }
  const history: WebhookConfig['history'] = { objects: file.history?.objects ?? true };
  if (file.history?.file !== undefined) history.file = file.history.file;
  return {
    defaults,
    exemptions: {
      namespaces: file.exemptions?.namespaces ?? [],
      usernames: file.exemptions?.usernames ?? [],
      runtimeClassNames: file.exemptions?.runtimeClassNames ?? [],
    },
    checks: { enforce: file.checks?.enforce ?? [], warn: file.checks?.warn ?? [], audit: file.checks?.audit ?? [] },
    breakGlass: { enabled: file.breakGlass?.enabled ?? true, usernames: file.breakGlass?.usernames ?? [], groups: file.breakGlass?.groups ?? [] },
    mutate: file.mutate ?? [],
    annotationWaivers: file.annotationWaivers ?? false,
    failurePolicy: file.failurePolicy ?? 'Fail',
    history,
    ...(file.images ? { images: resolveImages(file.images) } : {}),
  };
}

/** Parses the YAML text of a webhook configuration; errors name file:line and the field. */
export function parseWebhookConfig(text: string, file: string): { config: WebhookConfig; errors: InputError[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    return { config: resolveWebhookConfig(), errors: doc.errors.map((e) => ({ source: file, ...at(e.pos[0]), message: e.message })) };
  }
  const result = WebhookConfigSchema.safeParse(doc.toJS() ?? {});
  if (result.success) return { config: resolveWebhookConfig(result.data), errors: [] };
  const errors = result.error.issues.map((issue): InputError => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const node = doc.getIn(path, true) as { range?: [number, number] } | undefined;
    const error: InputError = { source: file, message: issue.message };
    if (path.length > 0) error.field = path.join('.');
    if (node?.range) Object.assign(error, at(node.range[0]));
    return error;
  });
  return { config: resolveWebhookConfig(), errors };
}
