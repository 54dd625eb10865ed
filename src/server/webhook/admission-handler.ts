/**
 * Answers one posted AdmissionReview body, independently of the HTTP stack (webhook-server.ts serves it over
 * node:https; the benchmark also serves it over fastify to compare). Reads the review, looks up the namespace
 * labels, evaluates, records (never for dry-run requests), logs without object contents, and returns the HTTP
 * status and the JSON text to send.
 */
import type { Logger } from 'pino';
import type { AdmissionRequest } from '../../sources/admission/admission-review.js';
import { readAdmissionReview } from '../../sources/admission/admission-review.js';
import { admissionResource } from '../../sources/admission/admission-resource.js';
import type { AdmissionPolicy } from './admission-policy.js';
import type { AdmissionDecision } from './admission-evaluator.js';
import { evaluateAdmission, skipReasonOf } from './admission-evaluator.js';
import { decisionResponse, failureResponse, patchResponse } from './admission-response.js';
import type { AdmissionReviewResponse } from './admission-response.js';
import type { Labels, NamespaceLabelSource } from './namespace-labels.js';
import type { ReviewRecorder } from './review-recorder.js';
import { breakGlassAlertOf, reviewRecordOf } from './review-record.js';
import { safeFixes } from './safe-fixes.js';

export type ReviewEndpoint = 'validate' | 'mutate';

export interface HandlerAnswer {
  status: number;
  body: string;
}

/** What the handler reports of each answered review (for benchmarks and metrics). */
export interface ReviewObservation {
  endpoint: ReviewEndpoint;
  /** Nanoseconds from the body received to the answer serialized (parse, evaluate, record, serialize). */
  evaluationNs: number;
  allowed: boolean;
}

export interface AdmissionHandlerOptions {
  policy: AdmissionPolicy;
  namespaces: NamespaceLabelSource;
  logger: Logger;
  recorder?: ReviewRecorder;
  clock?: () => Date;
  observe?: (observation: ReviewObservation) => void;
}

function status(code: number, message: string): HandlerAnswer {
  const reason = code === 400 ? 'BadRequest' : code === 404 ? 'NotFound' : code === 413 ? 'RequestEntityTooLarge' : code === 415 ? 'UnsupportedMediaType' : code === 405 ? 'MethodNotAllowed' : 'InternalError';
  return { status: code, body: JSON.stringify({ apiVersion: 'v1', kind: 'Status', status: 'Failure', code, reason, message }) };
}

export { status as statusAnswer };

export class AdmissionHandler {
  private readonly clock: () => Date;

  constructor(private readonly options: AdmissionHandlerOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  get policy(): AdmissionPolicy {
    return this.options.policy;
  }

  /** Answers a review body; never throws (an unexpected error is a 500 answer, logged). */
  async answer(endpoint: ReviewEndpoint, body: Buffer | string): Promise<HandlerAnswer> {
    const started = process.hrtime.bigint();
    let answer: HandlerAnswer;
    let allowed = false;
    try {
      let parsed: unknown;
      try {
        parsed = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
      } catch (error) {
        return status(400, `the body is not valid JSON: ${(error as Error).message}`);
      }
      const read = readAdmissionReview(parsed);
      if ('error' in read) {
        this.options.logger.warn({ uid: read.uid, problem: read.error }, 'malformed AdmissionReview');
        if (read.uid === undefined) return status(400, read.error);
        const response = failureResponse(read.uid, 400, read.error, this.policy.config.failurePolicy);
        return { status: 200, body: JSON.stringify(response) };
      }
      const request = read.request;
      let labels: Labels | undefined;
      try {
        const found = request.namespace === '' ? undefined : this.options.namespaces.labelsOf(request.namespace);
        labels = found instanceof Promise ? await found : found;
      } catch (error) {
        this.options.logger.error({ uid: request.uid, namespace: request.namespace, err: (error as Error).message }, 'namespace lookup failed');
        const response = failureResponse(request.uid, 500, (error as Error).message, this.policy.config.failurePolicy);
        allowed = response.response.allowed;
        return { status: 200, body: JSON.stringify(response) };
      }
      const response = endpoint === 'validate' ? this.validate(request, labels) : this.mutate(request);
      allowed = response.response.allowed;
      answer = { status: 200, body: JSON.stringify(response) };
    } catch (error) {
      this.options.logger.error({ err: (error as Error).message }, 'unexpected error answering a review');
      answer = status(500, `internal error: ${(error as Error).message}`);
    } finally {
      this.options.observe?.({ endpoint, evaluationNs: Number(process.hrtime.bigint() - started), allowed });
    }
    return answer;
  }

  private validate(request: AdmissionRequest, labels: Labels | undefined): AdmissionReviewResponse {
    const now = this.clock();
    const decision = evaluateAdmission(this.policy, request, labels, now);
    this.record(request, decision, now);
    this.log(request, decision);
    return decisionResponse(request, decision);
  }

  private mutate(request: AdmissionRequest): AdmissionReviewResponse {
    const checks = this.policy.mutateChecks;
    if (checks.length === 0 || skipReasonOf(this.policy, request) || request.subResource !== '') {
      return patchResponse(request.uid, [], []);
    }
    const resource = admissionResource(request)!;
    const { patch, fixed } = safeFixes(resource, checks, this.policy.ctx);
    if (patch.length > 0) {
      this.options.logger.info({ uid: request.uid, kind: request.kind.kind, namespace: request.namespace, name: resource.ref.name, fixed }, 'mutated');
    }
    const warnings = fixed.length > 0 ? [`Aspis set unset fields to fix: ${fixed.join(', ')}`] : [];
    return patchResponse(request.uid, patch, warnings);
  }

  private record(request: AdmissionRequest, decision: AdmissionDecision, now: Date): void {
    const recorder = this.options.recorder;
    // Dry-run requests record nothing; neither do requests that were never evaluated for lack of relevance.
    if (!recorder || request.dryRun || decision.skipped === 'operation' || decision.skipped === 'subresource' || decision.skipped === 'unchanged') return;
    if (decision.skipped === 'cluster-scoped') return;
    const alert = breakGlassAlertOf(request, decision, now);
    if (alert) recorder.record(alert);
    recorder.record(reviewRecordOf(request, decision, now, this.policy.config.history.objects));
  }

  private log(request: AdmissionRequest, decision: AdmissionDecision): void {
    const { logger } = this.options;
    const ref = decision.resource?.ref;
    const fields = {
      uid: request.uid,
      operation: request.operation,
      kind: request.kind.kind,
      namespace: request.namespace,
      name: ref?.name ?? request.name,
      user: request.userInfo.username,
      dryRun: request.dryRun,
      allowed: decision.allowed,
      ...(decision.skipped ? { skipped: decision.skipped } : {}),
      ...(decision.violations.enforce.length > 0 ? { enforce: decision.violations.enforce.map((v) => v.checkId) } : {}),
      ...(decision.violations.warn.length > 0 ? { warn: decision.violations.warn.length } : {}),
      ...(decision.violations.audit.length > 0 ? { audit: decision.violations.audit.length } : {}),
    };
    if (decision.breakGlass) {
      logger.warn({ ...fields, breakGlass: { reason: decision.breakGlass.reason, used: decision.breakGlass.used, permitted: decision.breakGlass.permitted }, groups: request.userInfo.groups }, 'break-glass');
    } else if (!decision.allowed) logger.info(fields, 'denied');
    else if (logger.isLevelEnabled('debug')) logger.debug(fields, 'admitted');
  }
}
