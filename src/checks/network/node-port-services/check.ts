import type { ObjectCheck } from '../../../core/model/check.js';
import { asArray, asRecord } from '../../../core/model/untrusted-value.js';

/** kube-score `service-type`: a NodePort Service opens its ports on every node, past any ingress or load balancer. */
export const check: ObjectCheck = {
  id: 'node-port-services',
  title: 'NodePort services',
  severity: 'medium',
  category: 'network',
  target: { kinds: ['Service'] },
  rationale:
    'A Service of type NodePort listens on a port of every node of the cluster, on every node address. Anyone who ' +
    'can reach a node reaches the application directly, without the TLS, authentication, rate limits and logging ' +
    'of an Ingress or Gateway, and node firewalls rarely list these ports. Adding nodes silently adds entry points. ' +
    'LoadBalancer Services, which also allocate node ports, are the deliberate way to expose a Service and are not ' +
    'reported.',
  remediation:
    'Use type ClusterIP and expose the application through an Ingress or Gateway (or a LoadBalancer Service with ' +
    'loadBalancerSourceRanges); if a NodePort is needed, restrict who reaches the nodes with a firewall.',
  references: [
    'https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport',
    'https://github.com/zegl/kube-score/blob/master/README_CHECKS.md',
  ],
  evaluate(object) {
    const spec = asRecord(object['spec']);
    if (spec?.['type'] !== 'NodePort') return [];
    const name = typeof object.metadata?.name === 'string' ? object.metadata.name : '';
    const nodePorts = asArray(spec['ports'])
      .map((port) => asRecord(port)?.['nodePort'])
      .filter((port): port is number => typeof port === 'number');
    const where = nodePorts.length > 0 ? `port${nodePorts.length > 1 ? 's' : ''} ${nodePorts.join(', ')}` : 'a port';
    return [
      {
        path: ['spec', 'type'],
        message: `Service "${name}" is of type NodePort: it listens on ${where} of every node`,
        evidence: { type: 'NodePort', ...(nodePorts.length > 0 ? { nodePorts } : {}) },
      },
    ];
  },
};
