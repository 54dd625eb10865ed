/** A Kubernetes object as one YAML document with comment lines above it and above chosen nodes (rules). */
import { Document } from 'yaml';
import type { KubeObject } from '../../core/model/resource.js';

export interface NodeComment {
  /** Path of the node in the object, e.g. ['spec', 'ingress', 0]. */
  path: (string | number)[];
  lines: string[];
}

export function commentedYaml(object: KubeObject, header: readonly string[], comments: readonly NodeComment[]): string {
  // Selectors are shared between rules: written out each time, never as YAML anchors.
  const doc = new Document(object, { aliasDuplicateObjects: false });
  doc.commentBefore = header.map((line) => ` ${line}`).join('\n');
  for (const { path, lines } of comments) {
    const node = doc.getIn(path, true) as { commentBefore?: string } | undefined;
    if (node && lines.length > 0) node.commentBefore = lines.map((line) => ` ${line}`).join('\n');
  }
  return doc.toString({ lineWidth: 0, indentSeq: false });
}
