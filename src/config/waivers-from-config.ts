/**
 * `.aspis.yaml` exceptions as waivers (one model with annotation waivers; engine/apply-waivers.ts applies both).
 * Pure. Check ids are kept as written: selectChecks reports ids that name no check (with file:line and field), and
 * applyWaivers resolves former ids given the catalog.
 */
import { formatFieldPath } from '../core/model/field-path.js';
import type { ResourceSelector } from '../core/model/resource-selector.js';
import type { Waiver } from '../core/model/waiver.js';
import { ALL_CHECKS_WILDCARD } from '../core/model/waiver.js';
import type { AspisConfig } from './parse-config.js';

/**
 * One waiver per exception, declared at `<file>:<line of the entry>` (`.aspis.yaml:14`). `file` names the file when
 * the config carries no origin (built in code); the origin's file, as shown in messages, wins.
 */
export function waiversFromConfig(config: AspisConfig, file?: string): Waiver[] {
  const shown = config.origin?.file ?? file ?? '.aspis.yaml';
  return (config.exceptions ?? []).map((exception, i) => {
    const selector: ResourceSelector = {};
    const r = exception.resources;
    if (r?.kinds) selector.kinds = [...r.kinds];
    if (r?.namespaces) selector.namespaces = [...r.namespaces];
    if (r?.names) selector.names = [...r.names];
    if (r?.labels) selector.labels = structuredClone(r.labels);
    const line = config.origin?.locate(['exceptions', i])?.line;
    const waiver: Waiver = {
      checks: exception.checks === ALL_CHECKS_WILDCARD ? [ALL_CHECKS_WILDCARD] : [...exception.checks],
      selector,
      reason: exception.reason,
      source: 'config',
      declaredAt: line !== undefined ? `${shown}:${line}` : `${shown} ${formatFieldPath(['exceptions', i])}`,
    };
    if (exception.owner !== undefined) waiver.owner = exception.owner;
    if (exception.expires !== undefined) waiver.expires = exception.expires;
    return waiver;
  });
}
