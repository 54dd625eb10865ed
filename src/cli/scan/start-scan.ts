import { ALL_CHECKS } from '../../checks/index.js';
import type { Check } from '../../core/model/check.js';
import { parsePssVersion } from '../../core/model/check-context.js';
import type { InputError } from '../../core/model/report.js';
import { defaultConfig, hasConfigFile } from '../../config/config-file.js';
import type { LoadedConfig } from '../../config/load-config.js';
import { selectChecks } from '../../config/select-checks.js';
import { checkContextFromConfig } from '../../config/check-context-from-config.js';
import { waiversFromConfig } from '../../config/waivers-from-config.js';
import { FRAMEWORKS, checkIdsOf, frameworkById } from '../../frameworks/index.js';
import { ScanSession } from '../../scan/scan-session.js';
import type { ScanOptions } from './scan-options.js';

export interface StartedScan {
  session: ScanSession;
  /** The checks that run, for renderers that list them (SARIF rules, JUnit cases). */
  checks: readonly Check[];
}

/**
 * Reads the configuration and the scan options into a ScanSession. Configuration errors are added to the session
 * (reported, exit 2) and the scan goes on with what is valid; options that select nothing throw (usage error).
 */
export async function startScan(options: ScanOptions, env: { inputs: string[]; version: string; cwd: string }): Promise<StartedScan> {
  const errors: InputError[] = [];
  // The configuration's parser, and the CEL interpreter for --policies, load only when there is something to read.
  const configFile = { path: options.config, cwd: env.cwd };
  const loaded: LoadedConfig = hasConfigFile(configFile)
    ? (await import('../../config/load-config.js')).loadConfig(configFile)
    : { config: defaultConfig(), errors: [] };
  errors.push(...loaded.errors);
  const selection = selectChecks(ALL_CHECKS, loaded.config);
  errors.push(...selection.errors);
  let checks = selection.checks;

  let frameworks: string[] | undefined;
  if (options.framework) {
    frameworks = options.framework;
    const unknown = frameworks.filter((id) => !frameworkById(id));
    if (unknown.length > 0) {
      throw new Error(`unknown framework ${unknown.join(', ')}: known are ${FRAMEWORKS.map((f) => f.id).join(', ')}`);
    }
    const ids = new Set(frameworks.flatMap((id) => [...checkIdsOf(id)]));
    checks = checks.filter((check) => ids.has(check.id));
    if (checks.length === 0) throw new Error(`--framework ${frameworks.join(',')} selects no enabled check`);
  }

  // --policies: each ValidatingAdmissionPolicy becomes a check of this scan (see policy-checks.ts).
  let catalog: readonly Check[] = ALL_CHECKS;
  if (options.policies) {
    const { policyChecksFrom } = await import('./policy-checks.js');
    const fromPolicies = policyChecksFrom(options.policies, env.cwd, new Set(ALL_CHECKS.map((check) => check.id)));
    errors.push(...fromPolicies.errors);
    checks = [...checks, ...fromPolicies.checks];
    catalog = [...ALL_CHECKS, ...fromPolicies.checks];
  }

  const ctx = checkContextFromConfig(loaded.config);
  if (options.pssVersion) ctx.pssVersion = parsePssVersion(options.pssVersion);

  const session = new ScanSession({
    checks,
    catalog,
    ctx,
    waivers: waiversFromConfig(loaded.config),
    now: new Date(),
    inputs: env.inputs,
    ...(frameworks ? { frameworks } : {}),
    toolVersion: env.version,
  });
  session.addErrors(errors);
  return { session, checks };
}
