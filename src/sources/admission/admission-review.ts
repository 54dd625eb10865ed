/**
 * Reads an AdmissionReview (admission.k8s.io/v1) as the apiserver posts it to a webhook. Pure: the caller parses the
 * JSON; this checks the shape the webhook relies on and names the first field that is wrong. A review that cannot
 * be answered (no request uid) is an `error` without uid: the server answers HTTP 400 and the apiserver's
 * failurePolicy decides.
 */
import type { KubeObject } from '../../core/model/resource.js';

export const ADMISSION_REVIEW_API_VERSION = 'admission.k8s.io/v1';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
const OPERATIONS: readonly string[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface AdmissionUser {
  username: string;
  uid?: string;
  groups: string[];
}

/** The part of `request` the webhook uses. */
export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  /** Plural resource name (`pods`, `deployments`). */
  resource: string;
  /** `ephemeralcontainers`, `status`…; "" for the object itself. */
  subResource: string;
  name: string;
  /** "" for cluster-scoped objects. */
  namespace: string;
  operation: AdmissionOperation;
  userInfo: AdmissionUser;
  object?: KubeObject;
  oldObject?: KubeObject;
  dryRun: boolean;
}

export type ReadReview = { request: AdmissionRequest } | { error: string; uid?: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function optionalString(record: Record<string, unknown>, key: string): string | { error: string } {
  const value = record[key];
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : { error: `request.${key} must be a string` };
}

/** Checks a decoded AdmissionReview body and returns its request, or what is wrong with it. */
export function readAdmissionReview(body: unknown): ReadReview {
  if (!isRecord(body)) return { error: 'the body is not a JSON object (expected an AdmissionReview)' };
  if (body['kind'] !== 'AdmissionReview') return { error: `kind must be "AdmissionReview", got ${JSON.stringify(body['kind'])}` };
  if (body['apiVersion'] !== ADMISSION_REVIEW_API_VERSION) {
    return { error: `apiVersion must be "${ADMISSION_REVIEW_API_VERSION}" (set admissionReviewVersions: ["v1"]), got ${JSON.stringify(body['apiVersion'])}` };
  }
  const request = body['request'];
  if (!isRecord(request)) return { error: 'request is missing or not an object' };
  const uid = request['uid'];
  if (typeof uid !== 'string' || uid === '') return { error: 'request.uid is missing or not a string' };
  const fail = (message: string): ReadReview => ({ error: message, uid });

  const kind = request['kind'];
  if (!isRecord(kind) || typeof kind['kind'] !== 'string' || typeof kind['version'] !== 'string') {
    return fail('request.kind must be {group, version, kind}');
  }
  const group = kind['group'] ?? '';
  if (typeof group !== 'string') return fail('request.kind.group must be a string');
  const resource = request['resource'];
  if (!isRecord(resource) || typeof resource['resource'] !== 'string') return fail('request.resource must be {group, version, resource}');
  const operation = request['operation'];
  if (typeof operation !== 'string' || !OPERATIONS.includes(operation)) {
    return fail(`request.operation must be one of ${OPERATIONS.join(', ')}, got ${JSON.stringify(operation)}`);
  }
  const strings: Record<'subResource' | 'name' | 'namespace', string> = { subResource: '', name: '', namespace: '' };
  for (const key of ['subResource', 'name', 'namespace'] as const) {
    const value = optionalString(request, key);
    if (typeof value !== 'string') return fail(value.error);
    strings[key] = value;
  }
  const userInfo = request['userInfo'];
  if (!isRecord(userInfo)) return fail('request.userInfo is missing or not an object');
  const username = userInfo['username'] ?? '';
  if (typeof username !== 'string') return fail('request.userInfo.username must be a string');
  const groups = userInfo['groups'] ?? [];
  if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string')) return fail('request.userInfo.groups must be a list of strings');
  const user: AdmissionUser = { username, groups: groups as string[] };
  if (typeof userInfo['uid'] === 'string') user.uid = userInfo['uid'];

  const object = request['object'];
  const oldObject = request['oldObject'];
  if (object !== undefined && object !== null && !isRecord(object)) return fail('request.object must be an object');
  if (oldObject !== undefined && oldObject !== null && !isRecord(oldObject)) return fail('request.oldObject must be an object');
  if ((operation === 'CREATE' || operation === 'UPDATE') && !isRecord(object)) return fail(`request.object is required for ${operation}`);
  if (operation === 'UPDATE' && !isRecord(oldObject)) return fail('request.oldObject is required for UPDATE');
  const dryRun = request['dryRun'];
  if (dryRun !== undefined && dryRun !== null && typeof dryRun !== 'boolean') return fail('request.dryRun must be a boolean');

  const read: AdmissionRequest = {
    uid,
    kind: { group, version: kind['version'], kind: kind['kind'] },
    resource: resource['resource'],
    ...strings,
    operation: operation as AdmissionOperation,
    userInfo: user,
    dryRun: dryRun === true,
  };
  if (isRecord(object)) read.object = object as KubeObject;
  if (isRecord(oldObject)) read.oldObject = oldObject as KubeObject;
  return { request: read };
}
