/**
 * Asking the real apiserver (test/harness/control-plane.ts) what its native ValidatingAdmissionPolicy plugin decides:
 * server-side dry-run creates, the object as the server sees it (defaulted, mutated by admission, omitempty fields
 * dropped), and a sentinel that tells when newly created policies are enforced.
 */
import type { ControlPlane } from '../harness/control-plane.js';

export type Verdict =
  | { allowed: true }
  | { allowed: false; message: string; reason: string; code: number };

interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
}

function resourcePath(namespace: string, plural: string): string {
  return `/api/v1/namespaces/${namespace}/${plural}`;
}

/** Server-side dry-run create of a pod: the admission verdict (or any other refusal, with its Status). */
export async function dryRunCreate(cp: ControlPlane, namespace: string, pod: Record<string, unknown>): Promise<Verdict> {
  const response = await cp.request<StatusBody>('POST', `${resourcePath(namespace, 'pods')}?dryRun=All`, pod);
  if (response.status === 201 || response.status === 200) return { allowed: true };
  const body = response.body ?? {};
  return { allowed: false, message: body.message ?? '', reason: body.reason ?? '', code: body.code ?? response.status };
}

/** The pod as admission sees it (dry-run create where no policy applies), or the refusal when the pod is invalid. */
export async function serverView(cp: ControlPlane, namespace: string, pod: Record<string, unknown>): Promise<{ object: Record<string, unknown> } | { refused: string }> {
  const response = await cp.request<Record<string, unknown>>('POST', `${resourcePath(namespace, 'pods')}?dryRun=All`, pod);
  if (response.status === 201 || response.status === 200) return { object: response.body! };
  return { refused: String((response.body as StatusBody | undefined)?.message ?? response.status) };
}

/** Runs `work` over `items` with at most `limit` in flight (the harness measures 4–8 as best on 2 cores). */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const SENTINEL = 'aspis-agreement-sentinel';

/**
 * Creates a policy that denies pods labelled with the sentinel label (reading a ConfigMap param, so the param
 * informer is synced too) and waits until the apiserver enforces it. The apiserver rebuilds its whole policy set on
 * each refresh, so once this last-created policy is enforced every policy created before it is as well.
 */
export async function waitUntilPoliciesEnforced(cp: ControlPlane, namespace: string, round: string, timeoutMs = 30_000): Promise<void> {
  const name = `${SENTINEL}-${round}`;
  const objects = [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name },
      spec: {
        failurePolicy: 'Fail',
        paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
        matchConstraints: {
          resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
          objectSelector: { matchLabels: { [SENTINEL]: round } },
        },
        validations: [{ expression: 'params.data.round != object.metadata.labels["' + SENTINEL + '"]', message: `sentinel ${round}` }],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name },
      spec: { policyName: name, validationActions: ['Deny'], paramRef: { name, namespace, parameterNotFoundAction: 'Deny' } },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { round } },
  ];
  await cp.apply(objects as never);
  const probe = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sentinel', labels: { [SENTINEL]: round } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const verdict = await dryRunCreate(cp, namespace, probe);
    if (!verdict.allowed && verdict.message.includes(`sentinel ${round}`)) return;
    if (Date.now() > deadline) throw new Error(`policies not enforced within ${timeoutMs} ms (last answer: ${JSON.stringify(verdict)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `pods "name" is forbidden: ` — what the apiserver puts before an admission denial. */
export function forbiddenPrefix(podName: string): string {
  return `pods "${podName}" is forbidden: `;
}
