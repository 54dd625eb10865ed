/**
 * The IP addresses a Pod object holds: `status.podIPs`, else `status.podIP` (a hostNetwork pod's are its node's).
 * Kept by a live cluster read (src/sources/cluster/project-object.ts) and present in a `kubectl get -o yaml` dump;
 * templates have none.
 */
import type { IpAddress } from '../core/k8s/ip-set.js';
import { parseIpAddress } from '../core/k8s/ip-set.js';
import type { KubeObject } from '../core/model/resource.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The address texts of a Pod (`status.podIPs`, else `status.podIP`), as written. */
export function podAddressTexts(pod: KubeObject): string[] {
  const status = isRecord(pod['status']) ? pod['status'] : {};
  const list = Array.isArray(status['podIPs']) ? status['podIPs'].map((entry) => (isRecord(entry) ? entry['ip'] : undefined)) : [];
  const addresses = list.filter((ip): ip is string => typeof ip === 'string' && ip !== '');
  if (addresses.length === 0 && typeof status['podIP'] === 'string' && status['podIP'] !== '') addresses.push(status['podIP']);
  return addresses;
}

/** A Pod's addresses, parsed and without repeats; texts that are not addresses are left out (the API server rejects them). */
export function podAddressesOf(pod: KubeObject): IpAddress[] {
  if (pod.kind !== 'Pod') return [];
  const out: IpAddress[] = [];
  for (const text of podAddressTexts(pod)) {
    const address = parseIpAddress(text);
    if (address && !out.some((a) => a.family === address.family && a.value === address.value)) out.push(address);
  }
  return out;
}
