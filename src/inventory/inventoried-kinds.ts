/**
 * The kinds the inventory reads: namespaces, service accounts, Services, Ingresses and the workload kinds (those
 * with a pod template, except PodTemplate itself, which runs nothing). A cluster inventory lists only these.
 */
import { POD_TEMPLATE_PATHS } from '../core/k8s/workload-kinds.js';

const CORE_KINDS: ReadonlySet<string> = new Set(['Namespace', 'ServiceAccount', 'Service']);
const INGRESS_GROUPS: ReadonlySet<string> = new Set(['networking.k8s.io', 'extensions']);

export function isInventoriedKind(group: string, kind: string): boolean {
  if (group === '' && CORE_KINDS.has(kind)) return true;
  if (kind === 'Ingress') return INGRESS_GROUPS.has(group);
  return kind !== 'PodTemplate' && POD_TEMPLATE_PATHS[kind]?.group === group;
}
