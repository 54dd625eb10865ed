/**
 * The inventory for people at a terminal: one section per question (namespaces and their Pod Security, workloads,
 * images, service accounts, exposure, errors), each a column-aligned table. Workloads are listed top-most only — a
 * Deployment stands for its ReplicaSets and Pods, counted beside it; the JSON lists every one.
 */
import type { ResourceRef } from '../core/model/resource.js';
import type {
  ExposedServiceEntry,
  HostPortEntry,
  IngressRouteEntry,
  Inventory,
  NamespaceEntry,
  PodSecurityModeEntry,
  TokenMount,
  WorkloadEntry,
} from '../inventory/inventory.js';
import { formatErrorSource, formatRef, printable } from './text.js';
import { compareText } from '../core/model/text-order.js';

/** Lists in a cell show this many names, then `+N more`. */
const LIST_LIMIT = 3;

export function renderInventoryTable(inventory: Inventory): string {
  const out: string[] = [];
  namespaces(inventory, out);
  workloads(inventory, out);
  images(inventory, out);
  serviceAccounts(inventory, out);
  exposure(inventory, out);
  errors(inventory, out);
  const s = inventory.summary;
  out.push(
    'Summary',
    `  namespaces ${s.namespaces}, workloads ${s.workloads}, images ${s.images}, service accounts ${s.serviceAccounts}`,
    `  exposed services ${s.exposedServices}, ingresses ${s.ingresses}, on the host network or host ports ${s.hostAccess}`,
    `  errors ${s.errors}`,
  );
  return `${out.join('\n')}\n`;
}

function namespaces(inventory: Inventory, out: string[]): void {
  out.push(`Namespaces (${inventory.namespaces.length}) — Pod Security (policy ${inventory.pssVersion} for latest)`);
  if (inventory.namespaces.length === 0) {
    out.push('  none', '');
    return;
  }
  const rows = [['NAMESPACE', 'WORKLOADS', 'SATISFIES', 'ENFORCE', 'AUDIT', 'WARN', 'ASSESSMENT']];
  const rejected: string[] = [];
  for (const ns of inventory.namespaces) {
    const ps = ns.podSecurity;
    rows.push([
      namespaceName(ns.name),
      String(ns.workloads),
      ps.satisfied ?? '-',
      mode(ps.enforce),
      mode(ps.audit),
      mode(ps.warn),
      assessment(ns),
    ]);
    if (ps.assessment === 'stricter' && ps.enforce) {
      rejected.push(`  ${namespaceName(ns.name)}: enforce ${ps.enforce.level} rejects the pods of ${list(ps.enforce.violations.map(shortRef), Infinity)}`);
    }
  }
  out.push(...columns(rows));
  const unlabelled = (entry: PodSecurityModeEntry | undefined) => entry !== undefined && entry.levelLabel === undefined;
  if (inventory.namespaces.some(({ podSecurity: ps }) => unlabelled(ps.enforce) || unlabelled(ps.audit) || unlabelled(ps.warn))) {
    out.push('  (-: no label; admission then applies its default, privileged unless the cluster configures another)');
  }
  if (rejected.length > 0) out.push('', 'Pods rejected when next created', ...rejected);
  out.push('');
}

function mode(entry: PodSecurityModeEntry | undefined): string {
  if (!entry) return '?';
  let text = entry.levelLabel === undefined ? '-' : entry.level;
  if (entry.versionLabel !== undefined && entry.versionLabel !== 'latest') text += `@${entry.version}`;
  if (entry.evaluatedAt !== undefined) text += ` (evaluated @${entry.evaluatedAt})`;
  if (entry.violations.length > 0) text += ` ✗${entry.violations.length}`;
  return printable(text);
}

function assessment(ns: NamespaceEntry): string {
  const ps = ns.podSecurity;
  switch (ps.assessment) {
    case 'matches':
      return 'ok';
    case 'laxer':
      return `can enforce ${ps.satisfied}`;
    case 'stricter':
      return `${ps.enforce?.violations.length ?? 0} rejected on re-create`;
    case 'no-workloads':
      return 'no workloads';
    case 'labels-unknown':
      return 'Namespace not in input';
  }
}

function workloads(inventory: Inventory, out: string[]): void {
  // Each owned workload is counted under its top-most owner in the input.
  const owned = new Map<string, Map<string, number>>();
  const top: WorkloadEntry[] = [];
  for (const workload of inventory.workloads) {
    const inInput = workload.owners.filter((owner) => owner.inInput);
    if (inInput.length === 0) {
      top.push(workload);
      continue;
    }
    const root = inInput[inInput.length - 1]!;
    const key = workloadKey(workload.resource.namespace, root.kind, root.name);
    let counts = owned.get(key);
    if (!counts) owned.set(key, (counts = new Map()));
    // Keyed by depth then kind, so that a Deployment lists its ReplicaSets before their Pods.
    const kindKey = `${inInput.length}\u0000${workload.resource.kind}`;
    counts.set(kindKey, (counts.get(kindKey) ?? 0) + 1);
  }
  out.push(`Workloads (${inventory.workloads.length}${top.length !== inventory.workloads.length ? `; ${top.length} top-level shown` : ''})`);
  if (top.length === 0) {
    out.push('  none', '');
    return;
  }
  const rows = [['NAMESPACE', 'WORKLOAD', 'PSS', 'SERVICE ACCOUNT', 'TOKEN', 'HOST', 'OWNS', 'OWNER']];
  for (const workload of top) {
    const counts = owned.get(workloadKey(workload.resource.namespace, workload.resource.kind, workload.resource.name));
    const owner = workload.owners[0];
    rows.push([
      namespaceName(workload.resource.namespace ?? ''),
      printable(`${workload.resource.kind}/${workload.resource.name}`),
      workload.pssLevel,
      printable(workload.serviceAccount),
      token(workload.tokenMount),
      host(workload.hostNetwork, workload.hostPorts) || '-',
      counts ? ownedText(counts) : '-',
      owner ? printable(`${owner.kind}/${owner.name} (not in input)`) : '-',
    ]);
  }
  out.push(...columns(rows), '');
}

function ownedText(counts: ReadonlyMap<string, number>): string {
  return [...counts]
    .sort(([a], [b]) => compareText(a, b))
    .map(([key, n]) => {
      const kind = printable(key.slice(key.indexOf('\u0000') + 1));
      return `${n} ${kind}${n === 1 ? '' : 's'}`;
    })
    .join(', ');
}

function token(mount: TokenMount): string {
  const by = mount.decidedBy === 'service-account' ? 'by account' : mount.decidedBy === 'pod' ? 'by pod' : 'default';
  return `${mount.mounted ? 'mounted' : 'not mounted'} (${by})`;
}

function host(hostNetwork: boolean, ports: readonly HostPortEntry[]): string {
  const parts: string[] = [];
  if (hostNetwork) parts.push('network');
  if (ports.length > 0) parts.push(`ports ${ports.map((p) => `${p.hostPort}/${p.protocol}`).join(',')}`);
  return printable(parts.join(', '));
}

function images(inventory: Inventory, out: string[]): void {
  out.push(`Images (${inventory.images.length})`);
  if (inventory.images.length === 0) {
    out.push('  none', '');
    return;
  }
  const rows = [['IMAGE', 'PINNING', 'WORKLOADS']];
  for (const image of inventory.images) rows.push([printable(image.image), image.pinning, list(image.workloads.map(formatRefText), LIST_LIMIT)]);
  out.push(...columns(rows), '');
}

function serviceAccounts(inventory: Inventory, out: string[]): void {
  out.push(`Service accounts (${inventory.serviceAccounts.length})`);
  if (inventory.serviceAccounts.length === 0) {
    out.push('  none', '');
    return;
  }
  const rows = [['NAMESPACE', 'SERVICE ACCOUNT', 'IN INPUT', 'AUTOMOUNT', 'WORKLOADS', 'TOKEN MOUNTED IN']];
  for (const account of inventory.serviceAccounts) {
    rows.push([
      namespaceName(account.resource.namespace ?? ''),
      printable(account.resource.name),
      account.inInput ? 'yes' : 'no',
      account.automountServiceAccountToken === undefined ? '-' : String(account.automountServiceAccountToken),
      String(account.workloads.length),
      list(account.tokenMountedIn.map(shortRef), LIST_LIMIT) || '-',
    ]);
  }
  out.push(...columns(rows), '');
}

function exposure(inventory: Inventory, out: string[]): void {
  out.push(`Exposed services (${inventory.exposedServices.length})`);
  if (inventory.exposedServices.length === 0) out.push('  none');
  else {
    const rows = [['SERVICE', 'TYPE', 'PORTS', 'FROM', 'WORKLOADS']];
    for (const service of inventory.exposedServices) {
      rows.push([
        printable(`${namespacePrefix(service.resource)}${service.resource.name}`),
        printable(service.type),
        servicePorts(service),
        printable(service.loadBalancerSourceRanges.join(',')) || 'anywhere',
        service.selector ? list(service.workloads.map(shortRef), LIST_LIMIT) || 'none selected' : 'no selector',
      ]);
    }
    out.push(...columns(rows));
  }
  out.push('');

  out.push(`Ingresses (${inventory.ingresses.length})`);
  if (inventory.ingresses.length === 0) out.push('  none');
  for (const ingress of inventory.ingresses) {
    const cls = ingress.ingressClass !== undefined ? ` (class ${ingress.ingressClass})` : '';
    out.push(printable(`  ${namespacePrefix(ingress.resource)}${ingress.resource.name}${cls}`));
    const rows = ingress.routes.map((route) => [`  ${route.tls ? 'https' : 'http'}://${printable(route.host)}${printable(route.path ?? '')}`, route.pathType ?? '', backend(route)]);
    out.push(...columns(rows));
  }
  out.push('');

  out.push(`Host network and host ports (${inventory.hostAccess.length})`);
  if (inventory.hostAccess.length === 0) out.push('  none');
  else {
    const rows = [['WORKLOAD', 'HOST']];
    for (const entry of inventory.hostAccess) rows.push([formatRefText(entry.resource), host(entry.hostNetwork, entry.hostPorts)]);
    out.push(...columns(rows));
  }
  out.push('');
}

function servicePorts(service: ExposedServiceEntry): string {
  const ports = service.ports.map((p) => {
    const node = p.nodePort !== undefined ? `${p.nodePort}→` : '';
    const target = p.targetPort !== undefined && p.targetPort !== p.port ? `→${p.targetPort}` : '';
    return `${node}${p.port}${target}/${p.protocol}`;
  });
  const ips = service.externalIPs.length > 0 ? ` on ${service.externalIPs.join(',')}` : '';
  return printable(`${ports.join(', ')}${ips}`);
}

function backend(route: IngressRouteEntry): string {
  if (route.resourceBackend !== undefined) return printable(`→ ${route.resourceBackend}`);
  const port = route.port !== undefined ? `:${route.port}` : '';
  const service = printable(`→ Service ${route.service ?? '?'}${port}`);
  if (!route.serviceFound) return `${service} (not in input)`;
  return `${service} → ${list(route.workloads.map(shortRef), LIST_LIMIT) || 'no workload selected'}`;
}

function errors(inventory: Inventory, out: string[]): void {
  if (inventory.errors.length === 0) return;
  out.push(`Errors (${inventory.errors.length})`);
  for (const error of inventory.errors) {
    out.push(`  ${printable(formatErrorSource(error))}: ${error.field ? `${printable(error.field)}: ` : ''}${printable(error.message)}`);
  }
  out.push('');
}

/** Aligns columns (all but the last padded), two spaces of indent. */
function columns(rows: readonly string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}

function list(items: readonly string[], limit: number): string {
  if (items.length <= limit) return items.join(', ');
  return `${items.slice(0, limit).join(', ')} +${items.length - limit} more`;
}

function namespaceName(name: string): string {
  return name === '' ? '(none)' : printable(name);
}

function namespacePrefix(ref: ResourceRef): string {
  return ref.namespace ? `${ref.namespace}/` : '';
}

/** `Kind/name`, where the namespace is clear from the row. */
function shortRef(ref: ResourceRef): string {
  return printable(`${ref.kind}/${ref.name}`);
}

function formatRefText(ref: ResourceRef): string {
  return printable(formatRef(ref));
}

function workloadKey(namespace: string | undefined, kind: string, name: string): string {
  return `${namespace ?? ''}\u0000${kind}\u0000${name}`;
}
