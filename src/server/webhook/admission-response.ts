/**
 * AdmissionReview v1 responses. A denial carries every violation twice: in the message (what kubectl prints) and as
 * status.details.causes (field path + check id + message, for tools). Audit annotations are prefixed by the
 * apiserver with the webhook name.
 */
import type { PatchOperation } from '../../core/model/check.js';
import { ADMISSION_REVIEW_API_VERSION } from '../../sources/admission/admission-review.js';
import type { AdmissionRequest } from '../../sources/admission/admission-review.js';
import type { AdmissionDecision } from './admission-evaluator.js';

export interface AdmissionResponseBody {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason?: string; message: string; details?: { name?: string; kind?: string; causes: { reason: string; field: string; message: string }[] } };
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
  patchType?: 'JSONPatch';
  patch?: string;
}

export interface AdmissionReviewResponse {
  apiVersion: typeof ADMISSION_REVIEW_API_VERSION;
  kind: 'AdmissionReview';
  response: AdmissionResponseBody;
}

function review(response: AdmissionResponseBody): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_REVIEW_API_VERSION, kind: 'AdmissionReview', response };
}

export function decisionResponse(request: AdmissionRequest, decision: AdmissionDecision): AdmissionReviewResponse {
  const response: AdmissionResponseBody = { uid: request.uid, allowed: decision.allowed };
  if (!decision.allowed) {
    response.status = {
      code: 403,
      reason: 'Forbidden',
      message: decision.message ?? 'denied by Aspis',
      details: {
        ...(request.name ? { name: request.name } : {}),
        kind: request.resource,
        causes: decision.violations.enforce.map((v) => ({ reason: 'FieldValueForbidden', field: v.path, message: `[${v.checkId}] ${v.message}` })),
      },
    };
  }
  if (decision.warnings.length > 0) response.warnings = decision.warnings;
  if (Object.keys(decision.auditAnnotations).length > 0) response.auditAnnotations = decision.auditAnnotations;
  return review(response);
}

export function patchResponse(uid: string, patch: readonly PatchOperation[], warnings: string[]): AdmissionReviewResponse {
  const response: AdmissionResponseBody = { uid, allowed: true };
  if (patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(patch)).toString('base64');
  }
  if (warnings.length > 0) response.warnings = warnings;
  return review(response);
}

/**
 * The answer to a review that could be read but not evaluated (a malformed field, a namespace that could not be
 * read): the failure policy decides whether it is admitted, and the message says why either way.
 */
export function failureResponse(uid: string, code: number, message: string, failurePolicy: 'Fail' | 'Ignore'): AdmissionReviewResponse {
  if (failurePolicy === 'Ignore') return review({ uid, allowed: true, warnings: [`Aspis could not evaluate the request (failurePolicy Ignore): ${message}`.slice(0, 256)] });
  return review({ uid, allowed: false, status: { code, reason: code >= 500 ? 'InternalError' : 'BadRequest', message: `Aspis could not evaluate the request: ${message}` } });
}
