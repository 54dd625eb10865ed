/**
 * What the webhook enforces, compiled once at start from the webhook configuration and `.aspis.yaml`: the Pod
 * Security check list of each level and version (built on first use and kept), the library checks of each mode,
 * the waivers and the check context. Check ids the configuration names are resolved here (aliases included); an id
 * that names no check is an error, as in `.aspis.yaml`.
 */
import type { Check } from '../../core/model/check.js';
import { isInventoryCheck } from '../../core/model/check.js';
import type { CheckContext } from '../../core/model/check-context.js';
import type { InputError } from '../../core/model/report.js';
import type { Waiver } from '../../core/model/waiver.js';
import { checkIdIndex, suggestCheckId } from '../../core/model/waiver.js';
import { PSS_CHECKS, pssChecksFor } from '../../frameworks/pss.js';
import type { LevelVersion, Mode } from './namespace-profile.js';
import { MODES, levelVersionKey } from './namespace-profile.js';
import type { CheckSelectionValue, WebhookConfig } from './webhook-config.js';
import type { CompiledPolicySet } from '../../policy/index.js';
import type { ScanLookup } from '../../store/scan-results/scan-results-index.js';
import type { ImageGate } from './image-gate.js';
import { compileImageGate } from './image-gate.js';

export interface AdmissionPolicyInput {
  config: WebhookConfig;
  /** Every known check (the catalog), to resolve ids and aliases. */
  catalog: readonly Check[];
  /** The checks `.aspis.yaml` selects (with configured severities): what `"*"` means in `checks`. */
  selected: readonly Check[];
  /** Context for the library checks (settings, Pod Security version) from `.aspis.yaml`. */
  ctx: CheckContext;
  waivers: readonly Waiver[];
  /** Where the webhook configuration came from, for error messages. */
  configSource?: string;
  /** Compiled ValidatingAdmissionPolicies evaluated beside the checks (`--policies DIR`). */
  celPolicies?: CompiledPolicySet;
  /** Scan results the image gating judges images by (needed when the configuration has images.requireScan). */
  scanResults?: ScanLookup;
}

const PSS_CHECK_IDS = new Set(PSS_CHECKS.map((entry) => entry.check.id));

export class AdmissionPolicy {
  readonly config: WebhookConfig;
  readonly catalog: readonly Check[];
  readonly ctx: CheckContext;
  readonly waivers: readonly Waiver[];
  /** Library checks of each mode (Pod Security checks are governed by the levels, inventory checks need a whole input). */
  readonly libraryChecks: Readonly<Record<Mode, readonly Check[]>>;
  /** Every library check of any mode, evaluated once per review. */
  readonly libraryUnion: readonly Check[];
  readonly mutateChecks: readonly Check[];
  readonly errors: InputError[] = [];
  readonly celPolicies: CompiledPolicySet | undefined;
  /** Image gating (`images` in the webhook configuration). */
  readonly images: ImageGate | undefined;
  private readonly levelChecks = new Map<string, { checks: readonly Check[]; ctx: CheckContext }>();

  constructor(input: AdmissionPolicyInput) {
    this.config = input.config;
    this.catalog = input.catalog;
    this.ctx = input.ctx;
    this.waivers = input.waivers;
    this.celPolicies = input.celPolicies;
    const source = input.configSource ?? 'webhook configuration';
    const index = checkIdIndex(input.catalog);
    const byId = new Map(input.catalog.map((check) => [check.id, check]));
    const selectedById = new Map(input.selected.map((check) => [check.id, check]));
    const resolve = (id: string, field: string): Check | undefined => {
      const current = index.get(id);
      if (current === undefined) {
        const suggestion = suggestCheckId(id, byId.keys());
        this.errors.push({ source, field, message: `"${id}" names no check${suggestion ? ` (did you mean "${suggestion}"?)` : ''}` });
        return undefined;
      }
      // The configured severity when .aspis.yaml selects it; listing a check here runs it even when it is opt-in.
      return selectedById.get(current) ?? byId.get(current);
    };
    const library = (selection: CheckSelectionValue, mode: Mode): Check[] => {
      const usable = (check: Check) => !PSS_CHECK_IDS.has(check.id) && !isInventoryCheck(check);
      if (selection === '*') return input.selected.filter(usable);
      const checks: Check[] = [];
      selection.forEach((id, i) => {
        const check = resolve(id, `checks.${mode}[${i}]`);
        if (!check) return;
        if (PSS_CHECK_IDS.has(check.id)) {
          this.errors.push({ source, field: `checks.${mode}[${i}]`, message: `"${id}" is a Pod Security check: the namespace's ${mode} level decides it` });
        } else if (isInventoryCheck(check)) {
          this.errors.push({ source, field: `checks.${mode}[${i}]`, message: `"${id}" needs several objects at once and cannot run on one admission request` });
        } else if (!checks.includes(check)) checks.push(check);
      });
      return checks;
    };
    const perMode = {} as Record<Mode, Check[]>;
    for (const mode of MODES) perMode[mode] = library(this.config.checks[mode], mode);
    this.libraryChecks = perMode;
    this.libraryUnion = [...new Set(MODES.flatMap((mode) => perMode[mode]))];
    const mutate: Check[] = [];
    this.config.mutate.forEach((id, i) => {
      const check = resolve(id, `mutate[${i}]`);
      if (check && isInventoryCheck(check)) this.errors.push({ source, field: `mutate[${i}]`, message: `"${id}" cannot run on one object` });
      else if (check && !mutate.includes(check)) mutate.push(check);
    });
    this.mutateChecks = mutate;
    if (this.config.images) {
      const compiled = compileImageGate(this.config.images, (id) => byId.get(id), this.ctx, input.scanResults, source);
      this.images = compiled.gate;
      this.errors.push(...compiled.errors);
    } else this.images = undefined;
  }

  /** The Pod Security checks of a level at a version and the context to run them with; empty for privileged. */
  pssChecks(value: LevelVersion): { checks: readonly Check[]; ctx: CheckContext } {
    const key = levelVersionKey(value);
    let entry = this.levelChecks.get(key);
    if (!entry) {
      const checks = value.level === 'privileged' ? [] : pssChecksFor(value.level, value.version);
      entry = { checks, ctx: { ...this.ctx, pssVersion: value.version } };
      this.levelChecks.set(key, entry);
    }
    return entry;
  }
}
