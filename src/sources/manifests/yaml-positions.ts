/**
 * Positions from the `yaml` package: the reference the fast scanner is tested against, and its fallback for the
 * documents it does not handle (anchors, aliases, merge keys, tags, complex keys…). Slow (~1.6 MB/s) but complete.
 */
import type { Document, Node as YamlNode } from 'yaml';
import { yamlPackage } from './yaml-package.js';
import { plainKeyToString } from './yaml-schema.js';
import type { PosNode } from './position-tree.js';

type Children = Pick<PosNode, 'map' | 'seq'>;

class Builder {
  private readonly yaml = yamlPackage();
  /** Children of each collection node, shared by every alias to it (and safe with recursive anchors). */
  private readonly memo = new Map<unknown, Children>();

  constructor(private readonly doc: Document) {}

  fill(target: PosNode, node: unknown, depth = 0): void {
    const children = this.children(node, depth);
    if (children?.map) target.map = children.map;
    if (children?.seq) target.seq = children.seq;
  }

  private resolve(node: unknown, depth: number): unknown {
    let current = node;
    for (let hops = 0; this.yaml.isAlias(current) && hops < 100; hops++) current = current.resolve(this.doc);
    return depth > 200 ? undefined : current;
  }

  private children(node: unknown, depth: number): Children | undefined {
    const resolved = this.resolve(node, depth);
    if (!this.yaml.isMap(resolved) && !this.yaml.isSeq(resolved)) return undefined;
    const known = this.memo.get(resolved);
    if (known) return known;
    const out: Children = {};
    this.memo.set(resolved, out);
    if (this.yaml.isMap(resolved)) out.map = this.mapChildren(resolved.items, depth);
    else out.seq = this.seqChildren(resolved as unknown as { items: unknown[]; srcToken?: unknown }, depth);
    return out;
  }

  private mapChildren(pairs: readonly unknown[], depth: number): Map<string, PosNode> {
    const map = new Map<string, PosNode>();
    const merges: unknown[] = [];
    for (const pair of pairs) {
      if (!this.yaml.isPair(pair)) continue;
      const key = this.resolve(pair.key, depth);
      if (!this.yaml.isScalar(key) || !this.yaml.isScalar(pair.key) || !key.range) continue;
      const raw = key.value === null || key.value === undefined ? '' : String(key.value);
      // A key tagged !!str is its text (`!!str 0x10` is "0x10", not 16), as the decoded object has it.
      const plain = (key.type === 'PLAIN' || key.type === undefined) && key.tag !== 'tag:yaml.org,2002:str';
      if (plain && raw === '<<' && !this.yaml.isAlias(pair.key)) {
        merges.push(pair.value);
        continue;
      }
      const entry: PosNode = { off: pair.key.range![0] };
      this.fill(entry, pair.value, depth + 1);
      // A later duplicate wins, as in the decoded object.
      map.set(plain ? plainKeyToString(raw) : raw, entry);
    }
    // Merged keys never override the mapping's own keys; earlier sources win over later ones.
    for (const merge of merges) {
      const resolved = this.resolve(merge, depth);
      const sources = this.yaml.isSeq(resolved) ? resolved.items : [resolved];
      for (const source of sources) {
        const merged = this.children(source, depth + 1)?.map;
        if (!merged) continue;
        for (const [name, entry] of merged) if (!map.has(name)) map.set(name, entry);
      }
    }
    return map;
  }

  private seqChildren(seq: { items: unknown[]; srcToken?: unknown }, depth: number): PosNode[] {
    const out: PosNode[] = [];
    const token = seq.srcToken as { type?: string; items?: { start: { type: string; offset: number }[] }[] } | undefined;
    if (token?.type === 'block-seq' && token.items) {
      let k = 0;
      for (const item of token.items) {
        const indicator = item.start.find((t) => t.type === 'seq-item-ind');
        if (!indicator) continue;
        const node = seq.items[k++];
        const entry: PosNode = { off: indicator.offset };
        this.fill(entry, node, depth + 1);
        out.push(entry);
      }
      return out;
    }
    for (const node of seq.items) {
      if (this.yaml.isPair(node)) {
        // `[a: 1]`: a single-pair mapping inside a flow sequence.
        const key = node.key as YamlNode | null;
        const entry: PosNode = { off: key?.range?.[0] ?? 0 };
        entry.map = this.mapChildren([node], depth + 1);
        out.push(entry);
        continue;
      }
      const range = (node as YamlNode | null)?.range;
      const entry: PosNode = { off: range ? range[0] : 0 };
      this.fill(entry, node, depth + 1);
      out.push(entry);
    }
    return out;
  }
}

/** Positions of one document's entries, computed with the `yaml` package. `null` for an empty document. */
export function yamlPositionTree(text: string): PosNode | null {
  const doc = yamlPackage().parseDocument(text, {
    schema: 'failsafe',
    keepSourceTokens: true,
    uniqueKeys: false,
    prettyErrors: false,
    strict: false,
  });
  const contents = doc.contents as YamlNode | null;
  if (!contents || !contents.range) return null;
  const root: PosNode = { off: contents.range[0] };
  new Builder(doc).fill(root, contents);
  return root;
}
