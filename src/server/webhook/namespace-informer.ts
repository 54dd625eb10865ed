/**
 * Namespace labels through an @kubernetes/client-node informer: used when the kubeconfig needs the library's
 * authentication (exec or auth-provider plugins). Loaded on demand: the library costs ~70 MB of RSS, which the
 * plain watcher (namespace-watch.ts) avoids.
 */
import { CoreV1Api, makeInformer } from '@kubernetes/client-node';
import type { Informer, KubeConfig, ObjectCache, V1Namespace } from '@kubernetes/client-node';
import type { Labels, NamespaceLabelSource } from './namespace-labels.js';

export class InformerNamespaceLabels implements NamespaceLabelSource {
  private readonly informer: Informer<V1Namespace> & ObjectCache<V1Namespace>;
  private readonly api: CoreV1Api;
  private synced = false;
  private stopped = false;
  private restart: NodeJS.Timeout | undefined;
  private errors = 0;

  constructor(
    kubeConfig: KubeConfig,
    private readonly onError: (error: Error) => void = () => undefined,
    private readonly restartDelayMs = 1000,
  ) {
    this.api = kubeConfig.makeApiClient(CoreV1Api);
    this.informer = makeInformer(kubeConfig, '/api/v1/namespaces', () => this.api.listNamespace());
    this.informer.on('error', (error) => {
      this.errors++;
      this.onError(error instanceof Error ? error : new Error(String(error)));
      // The informer stops on an error; start it again (it lists afresh when the watch cannot resume).
      if (!this.stopped) this.restart = setTimeout(() => void this.start(), this.restartDelayMs);
    });
  }

  async start(): Promise<void> {
    // start() resolves once the list is in and the watch runs, or after reporting an error (then retried).
    const before = this.errors;
    await this.informer.start();
    if (this.errors === before) this.synced = true;
  }

  ready(): boolean {
    return this.synced;
  }

  labelsOf(namespace: string): Labels | undefined | Promise<Labels | undefined> {
    const cached = this.informer.get(namespace);
    if (cached) return cached.metadata?.labels ?? {};
    return this.read(namespace);
  }

  private async read(namespace: string): Promise<Labels | undefined> {
    try {
      const found = await this.api.readNamespace({ name: namespace });
      return found.metadata?.labels ?? {};
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw new Error(`cannot read namespace "${namespace}": ${(error as Error).message.split('\n')[0]}`);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restart) clearTimeout(this.restart);
    await this.informer.stop();
  }
}
