/**
 * Where the control-plane programs come from: kube-apiserver and kube-controller-manager are built once from the Go
 * module proxy by tools/k8s-control-plane/build.sh into ~/.cache/aspis/k8s-<version>/ (the script holds a file
 * lock, so concurrent test processes build once); etcd is Debian's etcd-server package.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TOOL_DIR = fileURLToPath(new URL('../../tools/k8s-control-plane/', import.meta.url));
const BUILD_SCRIPT = join(TOOL_DIR, 'build.sh');

/** The Kubernetes release pinned in tools/k8s-control-plane/go.mod, e.g. v1.34.3. */
export const KUBERNETES_VERSION = (() => {
  const goMod = readFileSync(join(TOOL_DIR, 'go.mod'), 'utf8');
  const match = /^require k8s\.io\/kubernetes (v\S+)/m.exec(goMod) ?? /^\s+k8s\.io\/kubernetes (v\S+)/m.exec(goMod);
  if (!match) throw new Error(`${join(TOOL_DIR, 'go.mod')}: no "require k8s.io/kubernetes vX.Y.Z" line`);
  return match[1]!;
})();

export interface ControlPlaneBinaries {
  apiserver: string;
  controllerManager: string;
  etcd: string;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function kubernetesBinDir(): string {
  return join(process.env.ASPIS_CACHE ?? join(homedir(), '.cache', 'aspis'), `k8s-${KUBERNETES_VERSION}`);
}

export function findEtcd(): string {
  const candidates = [process.env.ASPIS_ETCD, ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'etcd')), '/usr/bin/etcd'];
  const found = candidates.find((c): c is string => !!c && executable(c));
  if (!found) {
    throw new Error(
      'etcd is not installed: the test control plane needs it. Install Debian\'s etcd-server package ' +
        '(apt-get install etcd-server) or run .ci/run, which installs it.',
    );
  }
  return found;
}

function runBuild(): Promise<void> {
  return new Promise((resolve, reject) => {
    // stderr is inherited: a cold build takes minutes, so its progress should be visible.
    const child = spawn('bash', [BUILD_SCRIPT], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', (error) => reject(new Error(`could not run ${BUILD_SCRIPT}: ${error.message}`)));
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${BUILD_SCRIPT} failed (exit ${code}); it needs Go (see README "Testing") and the Go module proxy`)),
    );
  });
}

let building: Promise<void> | undefined;

/** The binaries, building Kubernetes first when the cache lacks them. */
export async function ensureControlPlaneBinaries(): Promise<ControlPlaneBinaries> {
  const etcd = findEtcd();
  const dir = kubernetesBinDir();
  const apiserver = join(dir, 'kube-apiserver');
  const controllerManager = join(dir, 'kube-controller-manager');
  if (!executable(apiserver) || !executable(controllerManager)) {
    building ??= runBuild();
    await building;
  }
  return { apiserver, controllerManager, etcd };
}
