/**
 * The JSON Patch `fix` of every check must apply (RFC 6902, by an independent implementation) to the check's own
 * fail fixtures and remove the violations it is attached to: applying all fixes of an object leaves exactly the
 * violations that carry no fix. Header lines `# pss-version:` and `# settings:` apply as in fixtures.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { Check } from '../core/model/check.js';
import { defaultCheckContext, parsePssVersion } from '../core/model/check-context.js';
import type { CheckContext } from '../core/model/check-context.js';
import { formatFieldPath } from '../core/model/field-path.js';
import type { KubeObject, Resource } from '../core/model/resource.js';
import { refOf } from '../core/model/resource.js';
import { runChecks } from '../core/engine/run-checks.js';
import { parseDocuments } from '../sources/manifests/parse-documents.js';
import { ALL_CHECKS } from './index.js';

const checksDir = dirname(fileURLToPath(import.meta.url));

function contextFor(text: string): CheckContext {
  const ctx = defaultCheckContext();
  const version = /^#\s*pss-version:\s*(\S+)/m.exec(text)?.[1];
  if (version) ctx.pssVersion = parsePssVersion(version);
  const settings = /^#\s*settings:\s*(.*)$/m.exec(text)?.[1];
  if (settings) ctx.settings = { ...ctx.settings, ...JSON.parse(settings) };
  return ctx;
}

function violationsOf(check: Check, object: KubeObject, ctx: CheckContext) {
  const resource: Resource = { object, ref: refOf(object), origin: { type: 'file', file: 'fixture', documentIndex: 0 } };
  const run = runChecks([resource], [check], ctx);
  assert.deepEqual(run.failures, []);
  return run.findings.map((f) => f.violation);
}

for (const check of ALL_CHECKS) {
  const dir = join(checksDir, check.category, check.id, 'fixtures');
  if (!existsSync(dir)) continue; // fixtures.test.ts fails for a check without fixtures
  describe(`fixes of ${check.id}`, () => {
    for (const file of readdirSync(dir).filter((f) => f.startsWith('fail.'))) {
      it(file, () => {
        const text = readFileSync(join(dir, file), 'utf8');
        const ctx = contextFor(text);
        for (const { object } of parseDocuments(text).documents) {
          const before = violationsOf(check, object, ctx);
          const seen = new Set<string>();
          const ops = before.flatMap((v) => v.fix ?? []).filter((op) => !seen.has(JSON.stringify(op)) && seen.add(JSON.stringify(op)));
          if (ops.length === 0) continue;
          // validateOperation=true: a path that does not resolve throws instead of being ignored.
          const fixed = jsonPatch.applyPatch(structuredClone(object), ops as Operation[], true, false).newDocument as KubeObject;
          const after = violationsOf(check, fixed, ctx).map((v) => formatFieldPath(v.path));
          const unfixable = before.filter((v) => !v.fix).map((v) => formatFieldPath(v.path));
          assert.deepEqual(after.sort(), unfixable.sort());
        }
      });
    }
  });
}
