/**
 * Online Boutique's documented calls (call-graph.json of /work/shared/corpora/microservices-demo) as Aspis flow lines:
 * each caller's Deployment dials the callee's Service on its Service port, as the manifests' `*_ADDR` variables say.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir } from '../../corpora/corpus-location.js';

export const CORPUS = corpusDir('microservices-demo');
export const MANIFESTS = join(CORPUS, 'release/kubernetes-manifests.yaml');
export const UPSTREAM_POLICIES = join(CORPUS, 'kustomize/components/network-policies');

export const callGraph = JSON.parse(readFileSync(join(CORPUS, 'call-graph.json'), 'utf8')) as {
  services: Record<string, unknown>;
  edges: { from: string; to: string; port: number; target_port: number }[];
};

/** One line per documented call, a minute apart, with 10, 11, … connections. */
export function onlineBoutiqueFlowLines(): string[] {
  return callGraph.edges.map((edge, i) =>
    JSON.stringify({
      time: new Date(Date.UTC(2026, 4, 1, 10, i)).toISOString(),
      source: { namespace: 'default', workload: { kind: 'Deployment', name: edge.from } },
      destination: { namespace: 'default', service: edge.to },
      protocol: 'TCP',
      port: edge.port,
      count: 10 + i,
    }),
  );
}
