import type { InputError, Report } from '../core/model/report.js';
import type { Resource } from '../core/model/resource.js';
import { ScanSession } from './scan-session.js';
import type { ScanSessionOptions } from './scan-session.js';

export interface ScanRequest extends ScanSessionOptions {
  resources: readonly Resource[];
  /** Errors met while reading the input; reported, and they make the scan fail. */
  inputErrors: readonly InputError[];
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
