import { posix } from 'node:path';
import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import { asArray, asRecord } from '../../../core/model/untrusted-value.js';

/**
 * Where container runtimes listen by default (Docker, its managed containerd, containerd, CRI-O, cri-dockerd, Podman,
 * k3s), written under /run: /var/run is a symbolic link to /run on current distributions, so a hostPath under
 * /var/run reaches the same files, while a hostPath of /var only carries the link (which resolves inside the
 * container) and reaches none of them.
 */
const RUNTIME_SOCKETS: readonly string[] = [
  '/run/docker.sock',
  '/run/docker/containerd/containerd.sock',
  '/run/docker/libcontainerd/docker-containerd.sock',
  '/run/containerd/containerd.sock',
  '/run/crio/crio.sock',
  '/run/cri-dockerd.sock',
  '/run/dockershim.sock',
  '/run/podman/podman.sock',
  '/run/k3s/containerd/containerd.sock',
];

/** File names of runtime sockets, to recognise them wherever a node keeps them (e.g. MicroK8s under /var/snap). */
const SOCKET_NAMES: ReadonlySet<string> = new Set(RUNTIME_SOCKETS.map((path) => posix.basename(path)));

/** How a host path reaches a runtime socket: it is one, or it is a directory holding one (first found), or neither. */
function socketAccess(hostPath: string): { socket: string } | { directory: string; example: string } | undefined {
  let path = posix.normalize(hostPath);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  if (SOCKET_NAMES.has(posix.basename(path))) return { socket: path };
  const viaVarRun = path === '/var/run' || path.startsWith('/var/run/');
  const onRun = viaVarRun ? path.slice('/var'.length) : path;
  const prefix = onRun === '/' ? '/' : `${onRun}/`;
  const example = RUNTIME_SOCKETS.find((socket) => socket.startsWith(prefix));
  return example ? { directory: path, example: viaVarRun ? `/var${example}` : example } : undefined;
}

/** Kubescape C-0074, Checkov CKV_K8S_27: a container that reaches the runtime socket controls every container of the node. */
export const check: WorkloadCheck = {
  id: 'container-runtime-socket',
  title: 'Container runtime socket mounted',
  severity: 'critical',
  category: 'workload',
  target: { workloads: true },
  rationale:
    'The container runtime socket (docker.sock, containerd.sock, crio.sock…) is the API that starts containers on ' +
    'the node. A container that can reach it can start a privileged container with the host filesystem mounted, ' +
    'read every other container of the node and their secrets, and so owns the node, whatever its own ' +
    'securityContext says. A hostPath volume of the socket, or of a directory that holds it (/run, /var/run, ' +
    '/run/containerd, /), gives that access (/var does not: its run directory is a link to /run).',
  remediation:
    'Remove the hostPath volume. Tools that need container metadata should read it through the Kubernetes API or a ' +
    'node agent with a narrow interface; image builds should use a daemonless builder (BuildKit rootless, Kaniko, ' +
    'Buildah) instead of the node runtime.',
  references: [
    'https://kubernetes.io/docs/concepts/storage/volumes/#hostpath',
    'https://hub.armosec.io/docs/c-0074',
    'https://attack.mitre.org/techniques/T1611/',
  ],
  evaluate(workload) {
    const violations: Violation[] = [];
    asArray(workload.podSpec['volumes']).forEach((item, index) => {
      const volume = asRecord(item);
      const path = asRecord(volume?.['hostPath'])?.['path'];
      if (typeof path !== 'string' || path === '') return;
      const access = socketAccess(path);
      if (!access) return;
      const name = typeof volume?.['name'] === 'string' ? volume['name'] : `volumes[${index}]`;
      const what =
        'socket' in access
          ? `the container runtime socket ${JSON.stringify(path)}`
          : `${JSON.stringify(path)}, a directory that holds container runtime sockets (${access.example})`;
      // No fix: removing the volume breaks the containers that mount it.
      violations.push({
        path: [...workload.specPath, 'volumes', index, 'hostPath', 'path'],
        message: `volume "${name}" mounts ${what}`,
        evidence: path,
      });
    });
    return violations;
  },
};
