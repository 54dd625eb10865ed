/**
 * `aspis netpol reach -o dot`: the connectivity matrix as a Graphviz digraph (`dot -Tsvg`): one box per workload,
 * grouped in a cluster per namespace, one edge per allowed connection labelled with its ports, and one node for
 * addresses outside the cluster.
 */
import type { NetpolReachReport } from './netpol-report.js';

/** A Graphviz double-quoted ID: backslashes and quotes escaped, line breaks as \n. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

const EXTERNAL = 'outside the cluster';

export function renderNetpolReachDot(report: NetpolReachReport): string {
  const out: string[] = ['digraph netpol {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];'];
  const namespaces = [...new Set(report.workloads.map((w) => w.namespace))].sort();
  namespaces.forEach((namespace, index) => {
    out.push(`  subgraph ${quote(`cluster_${index}`)} {`, `    label=${quote(`namespace ${namespace}`)};`);
    for (const w of report.workloads.filter((w) => w.namespace === namespace)) {
      const style = w.hostNetwork ? ', style=dashed' : !w.isolated.ingress ? ', color=red' : '';
      out.push(`    ${quote(w.id)} [label=${quote(`${w.kind}/${w.name}`)}${style}];`);
    }
    out.push('  }');
  });
  if (report.external.ingress.length > 0 || report.external.egress.length > 0) out.push(`  ${quote(EXTERNAL)} [shape=ellipse];`);
  for (const e of report.edges) out.push(`  ${quote(e.from)} -> ${quote(e.to)} [label=${quote(e.ports)}];`);
  for (const e of report.external.ingress) out.push(`  ${quote(EXTERNAL)} -> ${quote(e.workload)} [label=${quote(`${e.ports}\nfrom ${e.addresses.join(', ')}`)}, style=dashed];`);
  for (const e of report.external.egress) out.push(`  ${quote(e.workload)} -> ${quote(EXTERNAL)} [label=${quote(`${e.ports}\nto ${e.addresses.join(', ')}`)}, style=dashed];`);
  out.push('}');
  return `${out.join('\n')}\n`;
}
