/**
 * A {@link ParamResolver} over a fixed list of objects (manifests, test fixtures, a cluster snapshot): finds the
 * objects of the param kind by name or label selector, in the namespace the apiserver would look in. A kind is taken
 * as namespaced when its objects carry a namespace.
 */
import { matchesLabelSelector } from '../../core/k8s/label-selector.js';
import type { KubeObject } from '../../core/model/resource.js';
import type { ParamResolver } from './types.js';

export function paramsFromObjects(objects: readonly KubeObject[]): ParamResolver {
  return (query) => {
    const ofKind = objects.filter((o) => o.apiVersion === query.apiVersion && o.kind === query.kind);
    const namespaced = ofKind.some((o) => typeof o.metadata?.namespace === 'string' && o.metadata.namespace !== '');
    let candidates = ofKind;
    if (namespaced) {
      if (!query.namespace) return { error: 'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources' };
      candidates = candidates.filter((o) => o.metadata?.namespace === query.namespace);
    } else if (query.namespaceFromRef && ofKind.length > 0) {
      return { error: 'paramRef.namespace must not be provided for a cluster-scoped `paramKind`' };
    }
    if (query.name !== undefined) candidates = candidates.filter((o) => o.metadata?.name === query.name);
    if (query.selector) {
      const selector = query.selector;
      candidates = candidates.filter((o) => matchesLabelSelector(selector, (o.metadata?.labels as Record<string, string> | undefined) ?? {}));
    }
    return { objects: candidates };
  };
}
