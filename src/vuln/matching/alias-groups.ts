/**
 * Groups vulnerability records that name each other (by id or alias, transitively) so one vulnerability is
 * reported once. The group's name is its CVE id when it has one (the smallest, if several), else a GHSA id,
 * else the smallest id; every other identifier of the closure is kept as an alias.
 */
import { compareText } from '../../core/model/text-order.js';

export interface AliasedRecord {
  readonly id: string;
  readonly aliases: readonly string[];
}

export interface AliasGroup {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly members: readonly string[];
}

function preference(id: string): number {
  if (id.startsWith('CVE-')) return 0;
  if (id.startsWith('GHSA-')) return 1;
  return 2;
}

export function preferredId(ids: Iterable<string>): string {
  return [...ids].sort((a, b) => preference(a) - preference(b) || compareText(a, b))[0]!;
}

export function aliasGroups(records: readonly AliasedRecord[]): AliasGroup[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    for (let node = x; node !== root; ) {
      const next = parent.get(node)!;
      parent.set(node, root);
      node = next;
    }
    return root;
  };
  const add = (x: string): void => void (parent.has(x) || parent.set(x, x));
  const union = (a: string, b: string): void => {
    add(a);
    add(b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const record of records) {
    add(record.id);
    for (const alias of record.aliases) union(record.id, alias);
  }
  const groups = new Map<string, { ids: Set<string>; members: string[] }>();
  for (const record of records) {
    const root = find(record.id);
    const group = groups.get(root) ?? { ids: new Set<string>(), members: [] };
    group.ids.add(record.id);
    for (const alias of record.aliases) group.ids.add(alias);
    if (!group.members.includes(record.id)) group.members.push(record.id);
    groups.set(root, group);
  }
  return [...groups.values()].map(({ ids, members }) => {
    const id = preferredId(ids);
    return { id, aliases: [...ids].filter((x) => x !== id).sort(), members: members.sort() };
  });
}
