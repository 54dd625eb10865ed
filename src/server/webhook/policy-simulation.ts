/**
 * "What would this policy set have denied or warned over the recorded reviews?" Replays review records (the JSON
 * Lines history the webhook writes) through the same evaluator as the webhook, with the simulated policy set as the
 * profile of every namespace, and tallies per policy (check id): how many reviews it would deny or warn, how many
 * of those were admitted when recorded, and a few examples. Pure apart from the caller feeding lines in.
 */
import type { AdmissionRequest } from '../../sources/admission/admission-review.js';
import type { AdmissionPolicy } from './admission-policy.js';
import { evaluateAdmission } from './admission-evaluator.js';
import type { Mode } from './namespace-profile.js';
import type { ReviewRecord } from './review-record.js';
import type { InputError } from '../../core/model/report.js';

export const MAX_EXAMPLES = 3;

export interface SimulationExample {
  time: string;
  user: string;
  resource: string;
  path: string;
  message: string;
  /** Whether the review was admitted when it was recorded. */
  wasAllowed: boolean;
}

export interface PolicyTally {
  policy: string;
  /** Source of the policy: a Pod Security level (`restricted:latest`) or `library`. */
  source: string;
  reviews: number;
  /** Of `reviews`, how many were admitted when recorded (the change this policy would make). */
  newlyAffected: number;
  objects: number;
  examples: SimulationExample[];
}

export interface SimulationResult {
  history: string;
  reviewsRead: number;
  /** Reviews that could be replayed (recorded with their object and not exempt). */
  replayed: number;
  /** Records without the object (history.objects: false) or exempt under the simulated configuration. */
  skipped: { withoutObject: number; exempt: number };
  summary: Record<'deny' | 'warn', { reviews: number; newlyAffected: number }>;
  deny: PolicyTally[];
  warn: PolicyTally[];
  errors: InputError[];
}

interface Tally extends PolicyTally {
  seen: Set<string>;
}

export class PolicySimulation {
  private readonly result: SimulationResult;
  private readonly tallies: Record<'deny' | 'warn', Map<string, Tally>> = { deny: new Map(), warn: new Map() };

  constructor(
    private readonly policy: AdmissionPolicy,
    history: string,
  ) {
    this.result = {
      history,
      reviewsRead: 0,
      replayed: 0,
      skipped: { withoutObject: 0, exempt: 0 },
      summary: { deny: { reviews: 0, newlyAffected: 0 }, warn: { reviews: 0, newlyAffected: 0 } },
      deny: [],
      warn: [],
      errors: [],
    };
  }

  /** Feeds one line of the history file (1-based `line` for messages). */
  addLine(text: string, line: number): void {
    if (text.trim() === '') return;
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch (error) {
      this.result.errors.push({ source: this.result.history, line, message: `not a JSON line: ${(error as Error).message}` });
      return;
    }
    const record = entry as Partial<ReviewRecord>;
    if (record === null || typeof record !== 'object' || (record.type !== 'review' && record.type !== 'break-glass')) {
      this.result.errors.push({ source: this.result.history, line, message: 'not a review record (expected "type": "review" or "break-glass")' });
      return;
    }
    if (record.type !== 'review') return;
    const problem = recordProblem(record);
    if (problem) {
      this.result.errors.push({ source: this.result.history, line, field: problem.field, message: problem.message });
      return;
    }
    this.result.reviewsRead++;
    this.replay(record as ReviewRecord);
  }

  private replay(record: ReviewRecord): void {
    if (!record.object) {
      this.result.skipped.withoutObject++;
      return;
    }
    const request: AdmissionRequest = {
      uid: record.uid,
      kind: record.kind,
      resource: `${record.kind.kind.toLowerCase()}s`,
      subResource: '',
      name: record.resource.name,
      namespace: record.resource.namespace ?? '',
      operation: record.operation === 'UPDATE' ? 'UPDATE' : 'CREATE',
      userInfo: { username: record.user.username, groups: record.user.groups },
      object: record.object,
      dryRun: false,
    };
    // Namespace labels are not part of the history: the simulated policy set is every namespace's profile.
    const decision = evaluateAdmission(this.policy, request, undefined, new Date(record.time));
    if (decision.skipped) {
      this.result.skipped.exempt++;
      return;
    }
    this.result.replayed++;
    const where = `${record.resource.kind}/${record.resource.namespace ? `${record.resource.namespace}/` : ''}${record.resource.name}`;
    const modes: [Mode, 'deny' | 'warn'][] = [
      ['enforce', 'deny'],
      ['warn', 'warn'],
    ];
    for (const [mode, outcome] of modes) {
      const violations = decision.violations[mode];
      if (violations.length === 0) continue;
      this.result.summary[outcome].reviews++;
      if (record.allowed) this.result.summary[outcome].newlyAffected++;
      const counted = new Set<string>();
      for (const v of violations) {
        let tally = this.tallies[outcome].get(v.checkId);
        if (!tally) {
          tally = { policy: v.checkId, source: v.policy, reviews: 0, newlyAffected: 0, objects: 0, examples: [], seen: new Set() };
          this.tallies[outcome].set(v.checkId, tally);
        }
        if (counted.has(v.checkId)) continue;
        counted.add(v.checkId);
        tally.reviews++;
        if (record.allowed) tally.newlyAffected++;
        if (!tally.seen.has(where)) {
          tally.seen.add(where);
          tally.objects++;
          if (tally.examples.length < MAX_EXAMPLES) {
            tally.examples.push({ time: record.time, user: record.user.username, resource: where, path: v.path, message: v.message, wasAllowed: record.allowed });
          }
        }
      }
    }
  }

  finish(): SimulationResult {
    for (const outcome of ['deny', 'warn'] as const) {
      this.result[outcome] = [...this.tallies[outcome].values()]
        .sort((a, b) => b.reviews - a.reviews || (a.policy < b.policy ? -1 : 1))
        .map(({ seen: _seen, ...tally }) => tally);
    }
    if (this.result.reviewsRead === 0) {
      this.result.errors.push({ source: this.result.history, message: 'the history holds no review record: nothing to simulate' });
    }
    return this.result;
  }
}

function recordProblem(record: Partial<ReviewRecord>): { field: string; message: string } | undefined {
  if (typeof record.uid !== 'string') return { field: 'uid', message: 'missing or not a string' };
  if (typeof record.time !== 'string' || Number.isNaN(Date.parse(record.time))) return { field: 'time', message: 'missing or not a date-time' };
  const kind = record.kind;
  if (!kind || typeof kind.kind !== 'string' || typeof kind.version !== 'string' || typeof kind.group !== 'string') {
    return { field: 'kind', message: 'must be {group, version, kind}' };
  }
  if (!record.resource || typeof record.resource.name !== 'string') return { field: 'resource', message: 'must name the object' };
  if (!record.user || typeof record.user.username !== 'string' || !Array.isArray(record.user.groups)) return { field: 'user', message: 'must be {username, groups}' };
  if (typeof record.allowed !== 'boolean') return { field: 'allowed', message: 'missing or not a boolean' };
  if (record.object !== undefined && (record.object === null || typeof record.object !== 'object' || Array.isArray(record.object))) {
    return { field: 'object', message: 'must be an object' };
  }
  return undefined;
}
