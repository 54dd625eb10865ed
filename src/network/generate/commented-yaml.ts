/** A Kubernetes object as one YAML document with comment lines above it and above chosen nodes (rules). */
import { Document } from 'yaml';
import type { KubeObject } from '../../core/model/resource.js';

export interface NodeComment {
  /** Path of the node in the object, e.g. ['spec', 'ingress', 0]. */
  path: (string | number)[];
  lines: string[];
}

/**
 * Comment text comes from the input (workload names, flow subjects): control characters are written escaped, so a
 * name can neither end the comment line nor drive a terminal the YAML is printed on (as outputs/text.ts printable).
 */
function commentLine(line: string): string {
  // eslint-disable-next-line no-control-regex
  return ` ${line.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`;
}

export function commentedYaml(object: KubeObject, header: readonly string[], comments: readonly NodeComment[]): string {
  // Selectors are shared between rules: written out each time, never as YAML anchors.
  const doc = new Document(object, { aliasDuplicateObjects: false });
  doc.commentBefore = header.map(commentLine).join('\n');
  for (const { path, lines } of comments) {
    const node = doc.getIn(path, true) as { commentBefore?: string } | undefined;
    if (node && lines.length > 0) node.commentBefore = lines.map(commentLine).join('\n');
  }
  return doc.toString({ lineWidth: 0, indentSeq: false });
}
