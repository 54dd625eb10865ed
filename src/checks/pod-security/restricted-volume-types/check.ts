import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import { asArray, asRecord, isUnset } from '../../../core/model/untrusted-value.js';

/**
 * Volume sources restricted allows. `image` was added to PodSecurity's v1.0 function (Kubernetes 1.33), so it is
 * allowed at every policy version, as the admission controller does.
 */
export const ALLOWED_VOLUME_SOURCES: readonly string[] = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

/** The other volume sources of the core API, in the order PodSecurity reports them. */
const RESTRICTED_VOLUME_SOURCES: readonly string[] = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
];

/**
 * PSA check `restrictedVolumes` (restricted, v1.0+; replaces `hostPathVolumes`): only configMap, csi, downwardAPI,
 * emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes. A volume with no source is
 * defaulted to emptyDir by the API server and is allowed; a source this list does not know is reported as restricted.
 */
export const check: WorkloadCheck = {
  id: 'restricted-volume-types',
  title: 'Restricted volume types',
  severity: 'medium',
  category: 'pod-security',
  target: { workloads: true },
  rationale:
    'Inline volume sources other than the ephemeral and projected kinds mount host paths or network storage with node credentials, outside the control of PersistentVolume policies.',
  remediation:
    'Use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes; move network storage behind a PersistentVolumeClaim.',
  references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted'],
  evaluate(workload) {
    const violations: Violation[] = [];
    asArray(workload.podSpec['volumes']).forEach((item, index) => {
      const volume = asRecord(item);
      if (!volume) return;
      const set = (key: string) => !isUnset(volume[key]);
      if (ALLOWED_VOLUME_SOURCES.some(set)) return;
      const source = RESTRICTED_VOLUME_SOURCES.find(set) ?? Object.keys(volume).find((key) => key !== 'name' && set(key));
      if (source === undefined) return; // no source: defaulted to emptyDir
      const name = typeof volume['name'] === 'string' ? volume['name'] : `volumes[${index}]`;
      // No fix: replacing a volume source changes what the containers see.
      violations.push({
        path: [...workload.specPath, 'volumes', index, source],
        message: `restricted volume types: volume "${name}" uses restricted volume type "${source}"`,
        evidence: volume[source],
      });
    });
    return violations;
  },
};
