/**
 * The JSON Patch `fix` of every check in the workload, rbac and namespace categories must apply to its own fail
 * fixtures and remove the violations it is attached to: applying all fixes of an object leaves only the violations
 * that carry no fix.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Check, PatchOperation } from '../../core/model/check.js';
import { defaultCheckContext } from '../../core/model/check-context.js';
import { formatFieldPath } from '../../core/model/field-path.js';
import type { KubeObject, Resource } from '../../core/model/resource.js';
import { refOf } from '../../core/model/resource.js';
import { runChecks } from '../../core/engine/run-checks.js';
import { parseDocuments } from '../../sources/manifests/parse-documents.js';
import { ALL_CHECKS } from '../index.js';

const checksDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const CATEGORIES = new Set(['workload', 'rbac', 'namespace']);

/** RFC 6902 add/replace/remove, enough for the fixes (throws when a path does not resolve). */
function applyPatch(document: unknown, ops: readonly PatchOperation[]): unknown {
  const root = structuredClone(document);
  for (const op of ops) {
    const tokens = op.path.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = tokens.pop()!;
    let parent: any = root;
    for (const token of tokens) {
      parent = parent?.[Array.isArray(parent) ? Number(token) : token];
      if (parent === null || typeof parent !== 'object') throw new Error(`${op.op} ${op.path}: parent missing`);
    }
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (op.op === 'add') parent.splice(index, 0, op.value);
      else if (op.op === 'replace') parent[index] = op.value;
      else if (op.op === 'remove') parent.splice(index, 1);
    } else {
      if ((op.op === 'replace' || op.op === 'remove') && !(last in parent)) throw new Error(`${op.op} ${op.path}: member missing`);
      if (op.op === 'add' || op.op === 'replace') parent[last] = op.value;
      else if (op.op === 'remove') delete parent[last];
    }
  }
  return root;
}

function violationsOf(check: Check, object: KubeObject, ctx = defaultCheckContext()) {
  const resource: Resource = { object, ref: refOf(object), origin: { type: 'file', file: 'fixture', documentIndex: 0 } };
  const run = runChecks([resource], [check], ctx);
  assert.deepEqual(run.failures, []);
  return run.findings.map((f) => f.violation);
}

for (const check of ALL_CHECKS.filter((c) => CATEGORIES.has(c.category))) {
  const dir = join(checksDir, check.category, check.id, 'fixtures');
  if (!existsSync(dir)) continue;
  describe(`fixes of ${check.id}`, () => {
    for (const file of readdirSync(dir).filter((f) => f.startsWith('fail.'))) {
      it(file, () => {
        const text = readFileSync(join(dir, file), 'utf8');
        const settings = /^#\s*settings:\s*(.*)$/m.exec(text)?.[1];
        const ctx = defaultCheckContext();
        if (settings) ctx.settings = { ...ctx.settings, ...JSON.parse(settings) };
        for (const { object } of parseDocuments(text).documents) {
          const before = violationsOf(check, object, ctx);
          const seen = new Set<string>();
          const ops = before.flatMap((v) => v.fix ?? []).filter((op) => !seen.has(JSON.stringify(op)) && seen.add(JSON.stringify(op)));
          if (ops.length === 0) continue;
          const after = violationsOf(check, applyPatch(object, ops) as KubeObject, ctx).map((v) => formatFieldPath(v.path));
          const unfixable = before.filter((v) => !v.fix).map((v) => formatFieldPath(v.path));
          assert.deepEqual(after.sort(), unfixable.sort());
        }
      });
    }
  });
}
