/**
 * Every framework Aspis maps checks to, and the lookups derived from them. The mapping lives only in the framework
 * files; check → controls is their inversion, computed here.
 */
import type { ControlRef } from '../core/model/finding.js';
import type { Framework } from './framework.js';
import { cisKubernetesFramework } from './cis-kubernetes-1.10.js';
import { mitreContainersFramework } from './mitre-containers.js';
import { nsaCisaFramework } from './nsa-cisa-1.2.js';
import { pssFramework } from './pss.js';

export const FRAMEWORKS: Framework[] = [pssFramework, nsaCisaFramework, cisKubernetesFramework, mitreContainersFramework];

/**
 * The framework with this id. An id without its version (`nsa-cisa`, `cis-kubernetes`) names the framework whose id
 * is that prefix followed by `-<version>`, when exactly one does.
 */
export function frameworkById(id: string): Framework | undefined {
  const exact = FRAMEWORKS.find((f) => f.id === id);
  if (exact) return exact;
  const versioned = FRAMEWORKS.filter((f) => f.id.startsWith(`${id}-`) && /^[0-9]/.test(f.id.slice(id.length + 1)));
  return versioned.length === 1 ? versioned[0] : undefined;
}

const CONTROLS_BY_CHECK: ReadonlyMap<string, readonly ControlRef[]> = (() => {
  const map = new Map<string, ControlRef[]>();
  for (const framework of FRAMEWORKS) {
    for (const control of framework.controls) {
      for (const checkId of new Set(control.checks)) {
        let list = map.get(checkId);
        if (!list) map.set(checkId, (list = []));
        list.push({ framework: framework.id, id: control.id, title: control.title });
      }
    }
  }
  return map;
})();

/** The framework controls a check evidences, in framework then control order. */
export function controlsOf(checkId: string): ControlRef[] {
  return [...(CONTROLS_BY_CHECK.get(checkId) ?? [])];
}

/** The ids of the checks that evidence some control of the framework; throws for an unknown framework. */
export function checkIdsOf(frameworkId: string): Set<string> {
  const framework = frameworkById(frameworkId);
  if (!framework) {
    throw new Error(`unknown framework "${frameworkId}": expected one of ${FRAMEWORKS.map((f) => f.id).join(', ')}`);
  }
  return new Set(framework.controls.flatMap((c) => c.checks));
}
