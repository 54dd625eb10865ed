import type { Workload } from './workload.js';
import { asRecord } from '../model/untrusted-value.js';

/**
 * True when the pod declares it runs on Windows (`spec.os.name: windows`). Pod validation then forbids the
 * Linux-only security fields, and Pod Security (from policy v1.25) exempts such pods from the Linux-only
 * restricted controls.
 */
export function isWindowsPod(workload: Workload): boolean {
  return asRecord(workload.podSpec['os'])?.['name'] === 'windows';
}
