import type { FieldPath } from '../model/field-path.js';

/**
 * Where each workload kind keeps its pod template. The only kind list in the engine: it says where pod specs
 * live, not which checks run.
 */
export const POD_TEMPLATE_PATHS: Readonly<Record<string, { group: string; template: FieldPath }>> = {
  Pod: { group: '', template: [] },
  PodTemplate: { group: '', template: ['template'] },
  ReplicationController: { group: '', template: ['spec', 'template'] },
  ReplicaSet: { group: 'apps', template: ['spec', 'template'] },
  Deployment: { group: 'apps', template: ['spec', 'template'] },
  StatefulSet: { group: 'apps', template: ['spec', 'template'] },
  DaemonSet: { group: 'apps', template: ['spec', 'template'] },
  Job: { group: 'batch', template: ['spec', 'template'] },
  CronJob: { group: 'batch', template: ['spec', 'jobTemplate', 'spec', 'template'] },
};
