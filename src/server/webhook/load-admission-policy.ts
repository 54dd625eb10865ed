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
import { defaultScanResultsPath } from '../../store/scan-results/default-scan-results-path.js';
import { ScanResultsCache } from './scan-results-cache.js';
import { SEVERITIES, atLeast } from '../../core/model/severity.js';
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
  /** Called when a refresh of the scan results fails (the last loaded results stay in use). */
  onScanResultsError?: (error: Error) => void;
}

export function loadAdmissionPolicy(files: PolicyFiles): { policy: AdmissionPolicy; errors: InputError[]; scanResults?: ScanResultsCache } {
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
  // Image gating by scan results: the store is read once here, then polled in the background.
  let scanResults: ScanResultsCache | undefined;
  const requireScan = config.images?.requireScan;
  if (requireScan) {
    const path = requireScan.results ?? defaultScanResultsPath();
    try {
      // Only what can block is kept: vulnerabilities at or above the threshold, not waived at scan time.
      const only = { severities: SEVERITIES.filter((s) => atLeast(s, requireScan.failOnSeverity)), withWaived: false };
      scanResults = ScanResultsCache.open(path, { refreshSeconds: requireScan.refreshSeconds, only, ...(files.onScanResultsError ? { onError: files.onScanResultsError } : {}) });
    } catch (error) {
      errors.push({ source: files.webhookConfig ?? 'webhook configuration', field: 'images.requireScan.results', message: (error as Error).message });
    }
  }
  const policy = new AdmissionPolicy({
    ...(cel?.policies ? { celPolicies: cel.policies } : {}),
    config,
    catalog: ALL_CHECKS,
    selected: selection.checks,
    ctx: checkContextFromConfig(loaded.config),
    waivers: waiversFromConfig(loaded.config),
    ...(files.webhookConfig !== undefined ? { configSource: files.webhookConfig } : {}),
    ...(scanResults ? { scanResults } : {}),
  });
  // Without a store the gate is not built: the error above already says why.
  errors.push(...policy.errors.filter((e) => scanResults || e.field !== 'images.requireScan'));
  return { policy, errors, ...(scanResults ? { scanResults } : {}) };
}
