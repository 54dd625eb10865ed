/**
 * The JSON Patch `fix` of every Pod Security check must apply to its own fail fixtures and remove the violations it
 * is attached to: applying all fixes of a fixture leaves only the violations that carry no fix.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsyaml from 'js-yaml';
import type { PatchOperation } from '../../core/model/check.js';
import { defaultCheckContext, parsePssVersion } from '../../core/model/check-context.js';
import { formatFieldPath } from '../../core/model/field-path.js';
import type { KubeObject } from '../../core/model/resource.js';
import { workloadOf } from '../../core/k8s/workload.js';
import { PSS_CHECKS } from '../../frameworks/pss.js';

const here = dirname(fileURLToPath(import.meta.url));

/** RFC 6902 add/replace/remove/test, enough for the fixes (throws when a path does not resolve). */
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

for (const { check } of PSS_CHECKS) {
  describe(`fixes of ${check.id}`, () => {
    const dir = join(here, check.id, 'fixtures');
    for (const file of readdirSync(dir).filter((f) => f.startsWith('fail.'))) {
      it(file, () => {
        const text = readFileSync(join(dir, file), 'utf8');
        const version = /^#\s*pss-version:\s*(\S+)/m.exec(text)?.[1];
        const ctx = { ...defaultCheckContext(), ...(version ? { pssVersion: parsePssVersion(version) } : {}) };
        const object = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA }) as KubeObject;
        const before = check.evaluate(workloadOf(object)!, ctx);
        const seen = new Set<string>();
        const ops = before.flatMap((v) => v.fix ?? []).filter((op) => !seen.has(JSON.stringify(op)) && seen.add(JSON.stringify(op)));
        const fixed = applyPatch(object, ops) as KubeObject;
        const after = check.evaluate(workloadOf(fixed)!, ctx).map((v) => formatFieldPath(v.path));
        const unfixable = before.filter((v) => !v.fix).map((v) => formatFieldPath(v.path));
        assert.deepEqual(after.sort(), unfixable.sort());
      });
    }
  });
}
