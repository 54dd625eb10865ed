/**
 * Where the webhook gets namespace labels. Two watchers keep them in memory (list + watch of Namespaces; a namespace
 * not seen yet, created a moment ago, is read with one GET, as PodSecurity admission does): namespace-watch.ts on
 * plain node:https for in-cluster and certificate/token credentials, and namespace-informer.ts through
 * @kubernetes/client-node for kubeconfigs that need its auth plugins (exec, auth-provider). The webhook's
 * ServiceAccount needs get, list and watch on namespaces, nothing more.
 */

export type Labels = Readonly<Record<string, string>>;

/** Where the webhook gets namespace labels: undefined for a namespace that does not exist. */
export interface NamespaceLabelSource {
  labelsOf(namespace: string): Labels | undefined | Promise<Labels | undefined>;
  /** True once the first list has arrived. */
  ready(): boolean;
  stop(): Promise<void>;
}

/** Fixed labels, for tests and `aspis policy simulate`. */
export class StaticNamespaceLabels implements NamespaceLabelSource {
  constructor(private readonly labels: ReadonlyMap<string, Labels>) {}
  labelsOf(namespace: string): Labels | undefined {
    return this.labels.get(namespace);
  }
  ready(): boolean {
    return true;
  }
  async stop(): Promise<void> {}
}

