/**
 * The schema of `.aspis.yaml`. The single source of truth: load-config.ts validates with it and
 * docs/aspis-config.schema.json is generated from it (tools/generate-config-schema.ts) for editors.
 * Every object is strict: an unknown key is an error, never silently ignored. A section or list left empty
 * (`exceptions:` with every entry commented out) reads as null and means the same as an absent one.
 */
import { z } from 'zod';
import { SEVERITIES } from '../core/model/severity.js';
import { LABEL_SELECTOR_OPERATORS, validateLabelSelector } from '../core/k8s/label-selector.js';
import { parseExpiry } from '../core/model/waiver.js';

const CheckId = z
  .string({ error: 'expected a check id (a string)' })
  .min(1, { error: 'a check id cannot be empty' })
  .describe('A check id (or a former id of a renamed check).');

const CheckIdList = z.array(CheckId, { error: 'expected a list of check ids' });

const SeverityName = z.enum(SEVERITIES, {
  error: (issue) => `expected one of ${SEVERITIES.join(', ')}${issue.input !== undefined ? `, got ${JSON.stringify(issue.input)}` : ''}`,
});

export const PSS_VERSION_PATTERN = /^(latest|v1\.(0|[1-9][0-9]*))$/;

const PssVersionSchema = z
  .string({
    error: (issue) =>
      typeof issue.input === 'number'
        ? `YAML read the number ${String(issue.input)}: write the version as "latest" or v1.N, e.g. pssVersion: v1.30`
        : 'expected "latest" or v1.N',
  })
  .regex(PSS_VERSION_PATTERN, { error: (issue) => `expected "latest" or v1.N (e.g. v1.30), got ${JSON.stringify(issue.input)}` })
  .describe('Pod Security Standards version the pod-security checks follow: "latest" or v1.N (a Kubernetes minor version). Default: latest.');

const ChecksSchema = z
  .strictObject(
    {
      disable: CheckIdList.nullish().describe('Checks that do not run.'),
      enable: CheckIdList.nullish().describe('Opt-in checks to run (checks marked opt-in run only when listed here).'),
      severity: z
        .record(CheckId, SeverityName, { error: 'expected a map of check id to severity' })
        .nullish()
        .describe(`Severity overrides: check id → ${SEVERITIES.join(' | ')}.`),
    },
    { error: 'expected a map with disable, enable and/or severity' },
  );

const SettingsSchema = z
  .strictObject(
    {
      allowedRegistries: z
        .array(z.string({ error: 'expected a registry (a string)' }).min(1, { error: 'a registry cannot be empty' }), {
          error: 'expected a list of registries',
        })
        .nullish()
        .describe('Registries (host, or host/path prefix) images may come from, e.g. registry.example.com or ghcr.io/acme.'),
    },
    { error: 'expected a map of settings' },
  );

const StringList = (what: string) =>
  z.array(z.string({ error: `expected a ${what} (a string)` }), { error: `expected a list of ${what}s` });

const LabelSelectorRequirementSchema = z.strictObject(
  {
    key: z.string({ error: 'expected a label key (a string)' }),
    operator: z.enum(LABEL_SELECTOR_OPERATORS, {
      error: (issue) =>
        `${issue.input === undefined ? 'operator is required' : `${JSON.stringify(issue.input)} is not a valid selector operator`}: expected In, NotIn, Exists or DoesNotExist`,
    }),
    values: StringList('label value').optional(),
  },
  { error: 'expected a match expression {key, operator, values}' },
);

export const LabelSelectorSchema = z
  .strictObject(
    {
      matchLabels: z.record(z.string(), z.string({ error: 'expected a label value (a string)' })).optional(),
      matchExpressions: z.array(LabelSelectorRequirementSchema, { error: 'expected a list of match expressions' }).optional(),
    },
    { error: 'expected a label selector {matchLabels, matchExpressions}' },
  )
  .superRefine((selector, ctx) => {
    // Kubernetes rules the shape cannot say: key and value syntax, values empty or not depending on the operator.
    for (const issue of validateLabelSelector(selector)) ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
  })
  .describe('A Kubernetes label selector over the object labels: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist), all ANDed.');

export const ResourceSelectorSchema = z
  .strictObject(
    {
      kinds: StringList('kind').optional().describe('Object kinds (Deployment, CronJob…); `*` is a wildcard.'),
      namespaces: StringList('namespace')
        .optional()
        .describe('Namespaces; `*` is a wildcard; "" selects objects without a namespace.'),
      names: StringList('name').optional().describe('Object names; `*` is a wildcard (api-*).'),
      labels: LabelSelectorSchema.optional(),
    },
    { error: 'expected a map with kinds, namespaces, names and/or labels' },
  )
  .describe('Which objects the exception covers: every field given must match; an entry of a list matches. Absent: every object.');

/** Shape of an expiry, for editors (calendar validity is checked by parseExpiry). */
export const EXPIRY_PATTERN = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2}))?$/;

export const ExpirySchema = z
  .string({
    error: (issue) =>
      issue.input instanceof Date || typeof issue.input === 'number'
        ? 'expected an ISO 8601 date as a string, e.g. "2027-01-31"'
        : 'expected an ISO 8601 date (2027-01-31) or date-time with an offset (2027-01-31T18:00:00Z)',
  })
  .regex(EXPIRY_PATTERN, {
    abort: true,
    error: (issue) => {
      const parsed = parseExpiry(String(issue.input));
      return 'error' in parsed ? parsed.error : `"${String(issue.input)}" is not a valid expiry`;
    },
  })
  .superRefine((text, ctx) => {
    // The pattern is for editors; parseExpiry is the rule (real calendar days, valid offsets).
    const parsed = parseExpiry(text);
    if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
  })
  .describe('Last day the exception applies (2027-01-31: through the end of that day UTC), or an instant with an offset (2027-01-31T18:00:00Z).');

/** What every waiver states, whatever it waives: why, who, until when. */
const WAIVER_TERMS = {
  reason: z
    .string({ error: (issue) => (issue.input === undefined ? 'a reason is required' : 'expected a reason (a string)') })
    .trim()
    .min(1, { error: 'a reason is required: write why the risk is accepted' })
    .describe('Why the risk is accepted (required).'),
  owner: z.string({ error: 'expected an owner (a string)' }).min(1, { error: 'owner cannot be empty' }).optional().describe('Who accepted the risk.'),
  expires: ExpirySchema.optional(),
};

export const ExceptionSchema = z
  .strictObject(
    {
      checks: z
        .union([z.literal('*'), z.array(CheckId).min(1, { error: 'list at least one check id, or write "*" for every check' })], {
          error: 'expected a list of check ids, or "*" for every check',
        })
        .describe('Check ids the exception waives, or "*" for every check.'),
      resources: ResourceSelectorSchema.optional(),
      ...WAIVER_TERMS,
    },
    { error: 'expected an exception {checks, resources, reason, owner, expires}' },
  )
  .describe('A waiver: findings of these checks on these resources are reported as waived, with the reason, until it expires.');

export const VulnerabilityExceptionSchema = z
  .strictObject(
    {
      id: z
        .string({ error: (issue) => (issue.input === undefined ? 'id is required: the vulnerability id (CVE, GHSA, OSV id)' : 'expected a vulnerability id (a string)') })
        .trim()
        .min(1, { error: 'id cannot be empty' })
        .describe('The vulnerability: its CVE, GHSA or OSV id, or any of its aliases.'),
      package: z
        .string({ error: 'expected a package name or purl (a string)' })
        .trim()
        .min(1, { error: 'package cannot be empty' })
        .refine((p) => !p.startsWith('pkg:') || /^pkg:[a-zA-Z.+-]+\/[^@?#]+/.test(p), { error: (issue) => `"${String(issue.input)}" is not a valid purl (pkg:type/namespace/name@version)` })
        .optional()
        .describe('Only in this package: a purl (pkg:deb/debian/openssl, a version and qualifiers narrow it) or a package name (binary or source package).'),
      image: z
        .string({ error: 'expected an image reference or digest (a string)' })
        .trim()
        .min(1, { error: 'image cannot be empty' })
        .optional()
        .describe('Only in this image: a digest (sha256:…) or a reference where * is a wildcard (registry.example.com/team/*).'),
      ...WAIVER_TERMS,
    },
    { error: 'expected a vulnerability exception {id, package, image, reason, owner, expires}' },
  )
  .describe('A vulnerability waiver: the vulnerability is reported as suppressed, with the reason, until it expires.');

const VulnerabilitiesSchema = z
  .strictObject(
    {
      exceptions: z
        .array(VulnerabilityExceptionSchema, { error: 'expected a list of vulnerability exceptions' })
        .nullish()
        .describe('Waivers for accepted vulnerabilities (aspis scan image, scan sbom, scan cluster --images).'),
      vex: z
        .array(z.string({ error: 'expected a file (a string)' }).min(1, { error: 'a file name cannot be empty' }), { error: 'expected a list of OpenVEX files' })
        .nullish()
        .describe('OpenVEX documents read by every image scan, relative to this file (as --vex).'),
    },
    { error: 'expected a map with exceptions and/or vex' },
  );

export const AspisConfigSchema = z
  .strictObject(
    {
      pssVersion: PssVersionSchema.optional(),
      checks: ChecksSchema.nullish().describe('Which checks run and at what severity.'),
      settings: SettingsSchema.nullish().describe('Settings some checks read.'),
      exceptions: z.array(ExceptionSchema, { error: 'expected a list of exceptions' }).nullish().describe('Waivers for accepted risks.'),
      vulnerabilities: VulnerabilitiesSchema.nullish().describe('Vulnerability waivers and VEX documents for image scans.'),
    },
    { error: 'expected a map (pssVersion, checks, settings, exceptions, vulnerabilities)' },
  )
  .describe('Aspis configuration (.aspis.yaml). See docs/configuration.md.');

/** `.aspis.yaml` as written (every section optional). */
export type AspisConfigFile = z.infer<typeof AspisConfigSchema>;
export type ExceptionConfig = z.infer<typeof ExceptionSchema>;
export type VulnerabilityExceptionConfig = z.infer<typeof VulnerabilityExceptionSchema>;
