import type { Check } from '../core/model/check.js';
import type { CheckContext } from '../core/model/check-context.js';
import type { InputError, Report } from '../core/model/report.js';
import type { Resource } from '../core/model/resource.js';
import type { Waiver } from '../core/model/waiver.js';
import { ScanSession } from './scan-session.js';

export interface ScanRequest {
  resources: readonly Resource[];
  /** Errors met while reading the input; reported, and they make the scan fail. */
  inputErrors: readonly InputError[];
  /** The checks to run, already selected and with configured severities. */
  checks: readonly Check[];
  /** Every known check (selected or not), so waivers can name former ids and typos are told apart from disabled checks. */
  catalog: readonly Check[];
  ctx: CheckContext;
  waivers: readonly Waiver[];
  /** The clock is an input: waiver expiry is decided against it, so the same request gives the same report. */
  now: Date;
  inputs: string[];
  frameworks?: string[];
  toolVersion: string;
}

/**
 * The one scan pipeline shared by every surface (CLI, cluster scan, webhook), in one call: run checks, locate findings,
 * derive framework controls, apply waivers, compute each workload's Pod Security level, summarise. For large inputs
 * feed a ScanSession batch by batch instead (this is `add` of everything, then `finish`).
 */
export function buildReport(request: ScanRequest): Report {
  const { resources, inputErrors, ...options } = request;
  const session = new ScanSession(options);
  session.addErrors(inputErrors);
  session.add(resources);
  return session.finish();
}
