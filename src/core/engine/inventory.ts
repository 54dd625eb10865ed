import type { KubeObject } from '../model/resource.js';

/** Every object of one input, indexed by kind, for checks that look across objects. */
export class Inventory {
  private readonly kinds = new Map<string, KubeObject[]>();

  constructor(objects: Iterable<KubeObject>) {
    for (const object of objects) {
      const kind = typeof object.kind === 'string' ? object.kind : '';
      let list = this.kinds.get(kind);
      if (!list) this.kinds.set(kind, (list = []));
      list.push(object);
    }
  }

  ofKind(kind: string): readonly KubeObject[] {
    return this.kinds.get(kind) ?? [];
  }

  /** Namespaces named anywhere in the input: Namespace objects and the namespaces of namespaced objects. */
  namespaces(): string[] {
    const names = new Set<string>();
    for (const ns of this.ofKind('Namespace')) if (typeof ns.metadata?.name === 'string') names.add(ns.metadata.name);
    for (const [kind, list] of this.kinds) {
      if (kind === 'Namespace') continue;
      for (const object of list) if (typeof object.metadata?.namespace === 'string') names.add(object.metadata.namespace);
    }
    return [...names].sort();
  }
}
