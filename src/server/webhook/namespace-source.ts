/**
 * Starts the namespace-label source for a kubeconfig: the plain watcher when the credentials allow it, else the
 * client-library informer (loaded only then). Resolves once the first list is in.
 */
import type { NamespaceLabelSource } from './namespace-labels.js';
import { apiEndpoint } from './api-endpoint.js';
import { WatchedNamespaceLabels } from './namespace-watch.js';

export async function startNamespaceSource(options: { kubeconfig?: string; context?: string; onError: (error: Error) => void }): Promise<NamespaceLabelSource & { via: string }> {
  const endpoint = apiEndpoint(options);
  if (endpoint) {
    const watcher = new WatchedNamespaceLabels(endpoint, options.onError);
    await watcher.start();
    return Object.assign(watcher, { via: `watch (${endpoint.source})` });
  }
  const [{ loadKubeConfig }, { InformerNamespaceLabels }] = await Promise.all([
    import('../../sources/cluster/kube-connection.js'),
    import('./namespace-informer.js'),
  ]);
  const { config, source } = loadKubeConfig({ ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}), ...(options.context !== undefined ? { context: options.context } : {}) });
  const informer = new InformerNamespaceLabels(config, options.onError);
  await informer.start();
  return Object.assign(informer, { via: `informer (${source})` });
}
