/**
 * Shrinks a disagreement between Aspis and the API server to a minimal case: greedily removes objects, binding
 * subjects, rules and entries of rule fields (keeping every object valid), and simplifies the question, keeping each
 * change while the disagreement persists, until no single change keeps it. Each attempt costs one load of the graph
 * into the server and a few SubjectAccessReviews, so shrinking a disagreement takes tens of seconds, not minutes.
 */
import type { KubeObject } from '../../src/core/model/resource.js';
import type { AuthorizationRequest, UserInfo } from '../../src/rbac/authorization-request.js';

export type Question = { type: 'can-i'; who: UserInfo; request: AuthorizationRequest } | { type: 'who-can'; request: AuthorizationRequest };

/** Whether Aspis and the server still disagree on `question` over `objects`. */
export type StillDisagrees = (objects: KubeObject[], question: Question) => Promise<boolean>;

const REQUIRED = new Set(['verbs', 'apiGroups', 'resources', 'nonResourceURLs']);

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Every graph one step simpler than `objects`: an object, subject, rule, rule entry or selector fewer. */
function* simplerGraphs(objects: KubeObject[]): Generator<KubeObject[]> {
  for (let i = 0; i < objects.length; i++) {
    if (objects[i]!.kind !== 'ServiceAccount') yield objects.filter((_, j) => j !== i);
  }
  for (let i = 0; i < objects.length; i++) {
    const object = objects[i]!;
    const subjects = object['subjects'] as unknown[] | undefined;
    for (let s = 0; s < (subjects?.length ?? 0); s++) {
      const next = clone(objects);
      (next[i]!['subjects'] as unknown[]).splice(s, 1);
      yield next;
    }
    const rules = object['rules'] as Record<string, string[]>[] | undefined;
    for (let r = 0; r < (rules?.length ?? 0); r++) {
      const next = clone(objects);
      (next[i]!['rules'] as unknown[]).splice(r, 1);
      yield next;
      for (const [field, values] of Object.entries(rules![r]!)) {
        for (let v = 0; v < values.length; v++) {
          if (REQUIRED.has(field) && values.length === 1) continue;
          const smaller = clone(objects);
          const rule = (smaller[i]!['rules'] as Record<string, string[]>[])[r]!;
          rule[field]!.splice(v, 1);
          if (rule[field]!.length === 0) delete rule[field];
          yield smaller;
        }
      }
    }
    const selectors = (object['aggregationRule'] as { clusterRoleSelectors?: unknown[] } | undefined)?.clusterRoleSelectors;
    for (let s = 0; selectors && selectors.length > 1 && s < selectors.length; s++) {
      const next = clone(objects);
      (next[i]!['aggregationRule'] as { clusterRoleSelectors: unknown[] }).clusterRoleSelectors.splice(s, 1);
      yield next;
    }
    if (object.metadata?.labels) {
      const next = clone(objects);
      delete next[i]!.metadata!.labels;
      yield next;
    }
  }
}

/** Every question one step simpler: fewer attributes, fewer groups, no user name. */
function* simplerQuestions(question: Question): Generator<Question> {
  const request = question.request;
  if (!('nonResourceURL' in request)) {
    for (const field of ['name', 'subresource', 'namespace'] as const) {
      if (request[field]) {
        const { [field]: _dropped, ...rest } = request;
        yield { ...question, request: rest };
      }
    }
  }
  if (question.type === 'can-i') {
    const { who } = question;
    for (let g = 0; g < who.groups.length; g++) {
      const groups = who.groups.filter((_, j) => j !== g);
      if (groups.length > 0 || who.user !== '') yield { ...question, who: { ...who, groups } };
    }
    if (who.user !== '' && who.groups.length > 0) yield { ...question, who: { ...who, user: '' } };
  }
}

/**
 * One pass over the candidates of `state`, in order, keeping each that still fails and going on from the same
 * position (earlier candidates have already been tried); passes repeat until one keeps nothing.
 */
async function reduce<T>(state: T, candidates: (state: T) => T[], fails: (state: T) => Promise<boolean>): Promise<T> {
  for (;;) {
    let kept = false;
    for (let index = 0; ; index++) {
      const list = candidates(state);
      if (index >= list.length) break;
      if (await fails(list[index]!)) {
        state = list[index]!;
        kept = true;
        index--;
      }
    }
    if (!kept) return state;
  }
}

export async function minimizeDisagreement(
  objects: KubeObject[],
  question: Question,
  stillDisagrees: StillDisagrees,
): Promise<{ objects: KubeObject[]; question: Question; attempts: number }> {
  let attempts = 0;
  const count = (disagrees: Promise<boolean>) => (attempts++, disagrees);
  question = await reduce(question, (q) => [...simplerQuestions(q)], (q) => count(stillDisagrees(objects, q)));
  objects = await reduce(objects, (o) => [...simplerGraphs(o)], (o) => count(stillDisagrees(o, question)));
  question = await reduce(question, (q) => [...simplerQuestions(q)], (q) => count(stillDisagrees(objects, q)));
  return { objects, question, attempts };
}
