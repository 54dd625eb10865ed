/**
 * Builds the AdmissionPolicy from files: `.aspis.yaml` (check selection, severities, settings, exceptions — the
 * same file and rules as the scanner) and the webhook configuration. Every problem is returned with the file, line
 * and field; the caller decides whether to start (`aspis webhook serve` refuses to start on any error: a webhook
 * that silently enforces less than configured is worse than one that does not start).
 */
import { readFileSync } from 'node:fs';
import { ALL_CHECKS } from '../../checks/index.js';
import type { InputError } from '../../core/model/report.js';
import { loadConfig } from '../../config/load-config.js';
import { selectChecks } from '../../config/select-checks.js';
import { checkContextFromConfig } from '../../config/check-context-from-config.js';
import { waiversFromConfig } from '../../config/waivers-from-config.js';
import { AdmissionPolicy } from './admission-policy.js';
import { loadCelPolicies } from './cel-policies.js';
import type { WebhookConfig } from './webhook-config.js';
import { parseWebhookConfig, resolveWebhookConfig } from './webhook-config.js';

export interface PolicyFiles {
  /** `.aspis.yaml` (default: the one in cwd, when present). */
  config?: string;
  /** Webhook configuration file (default: every default). */
  webhookConfig?: string;
  cwd: string;
  /** Folder (or file) of ValidatingAdmissionPolicies and bindings evaluated beside the checks. */
  policies?: string;
  /** Changes applied on top of the webhook configuration (command-line overrides). */
  override?: (config: WebhookConfig) => void;
}

export function loadAdmissionPolicy(files: PolicyFiles): { policy: AdmissionPolicy; errors: InputError[] } {
  const errors: InputError[] = [];
  const loaded = loadConfig({ path: files.config, cwd: files.cwd });
  errors.push(...loaded.errors);
  const selection = selectChecks(ALL_CHECKS, loaded.config);
  errors.push(...selection.errors);
  let config = resolveWebhookConfig();
  if (files.webhookConfig !== undefined) {
    let text: string | undefined;
    try {
      text = readFileSync(files.webhookConfig, 'utf8');
    } catch (error) {
      errors.push({ source: files.webhookConfig, message: `cannot read the webhook configuration: ${(error as Error).message}` });
    }
    if (text !== undefined) {
      const parsed = parseWebhookConfig(text, files.webhookConfig);
      config = parsed.config;
      errors.push(...parsed.errors);
    }
  }
  files.override?.(config);
  const cel = files.policies !== undefined ? loadCelPolicies(files.policies) : undefined;
  if (cel) errors.push(...cel.errors);
  const policy = new AdmissionPolicy({
    ...(cel?.policies ? { celPolicies: cel.policies } : {}),
    config,
    catalog: ALL_CHECKS,
    selected: selection.checks,
    ctx: checkContextFromConfig(loaded.config),
    waivers: waiversFromConfig(loaded.config),
    ...(files.webhookConfig !== undefined ? { configSource: files.webhookConfig } : {}),
  });
  errors.push(...policy.errors);
  return { policy, errors };
}
