/**
 * The one generic runner for every check's examples: src/checks/<category>/<id>/fixtures/{pass,fail}.*.yaml.
 * A pass file must give no violation of its check; a fail file must give at least one, and exactly the
 * `# expect: <field path>` lines when it has any. Header lines may also set `# pss-version: v1.N` and
 * `# settings: {json}` for checks that read them.
 *
 * An inventory check that judges objects alone (InventoryCheck.alone) must, on every object of every fixture whose
 * namespace holds none of its `unlessKinds`, give either no verdict or exactly what it reports about that object over
 * the whole fixture.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_CHECKS } from './index.js';
import { runChecks } from '../core/engine/run-checks.js';
import { Inventory } from '../core/engine/inventory.js';
import { isInventoryCheck } from '../core/model/check.js';
import type { InventoryCheck } from '../core/model/check.js';
import type { KubeObject } from '../core/model/resource.js';
import { defaultCheckContext, parsePssVersion } from '../core/model/check-context.js';
import type { CheckContext } from '../core/model/check-context.js';
import { formatFieldPath } from '../core/model/field-path.js';
import { refOf } from '../core/model/resource.js';
import type { Resource } from '../core/model/resource.js';
import { parseDocuments } from '../sources/manifests/parse-documents.js';

const checksDir = dirname(fileURLToPath(import.meta.url));

function header(text: string, key: string): string[] {
  const values: string[] = [];
  for (const line of text.split('\n')) {
    const match = new RegExp(`^#\\s*${key}:\\s*(.*)$`).exec(line);
    if (match) values.push(match[1]!.trim());
  }
  return values;
}

function contextFor(text: string): CheckContext {
  const ctx = defaultCheckContext();
  const [version] = header(text, 'pss-version');
  if (version) ctx.pssVersion = parsePssVersion(version);
  const [settings] = header(text, 'settings');
  if (settings) ctx.settings = { ...ctx.settings, ...JSON.parse(settings) };
  return ctx;
}

for (const check of ALL_CHECKS) {
  const dir = join(checksDir, check.category, check.id, 'fixtures');
  describe(`check ${check.id}`, () => {
    it('has pass and fail fixtures', () => {
      assert.ok(existsSync(dir), `${dir} is missing`);
      const files = readdirSync(dir);
      assert.ok(files.some((f) => f.startsWith('pass.')), 'no pass.*.yaml fixture');
      assert.ok(files.some((f) => f.startsWith('fail.')), 'no fail.*.yaml fixture');
    });
    if (!existsSync(dir)) return;
    for (const file of readdirSync(dir).sort()) {
      const expectFail = file.startsWith('fail.');
      if (!expectFail && !file.startsWith('pass.')) continue;
      it(file, () => {
        const text = readFileSync(join(dir, file), 'utf8');
        const parsed = parseDocuments(text);
        assert.deepEqual(parsed.errors, [], 'fixture does not parse');
        assert.ok(parsed.documents.length > 0, 'fixture has no document');
        const resources: Resource[] = parsed.documents.map((d) => ({
          object: d.object,
          ref: refOf(d.object),
          origin: { type: 'file', file, documentIndex: d.documentIndex },
        }));
        const run = runChecks(resources, [check], contextFor(text));
        assert.deepEqual(run.failures, [], 'check threw');
        const paths = run.findings.map((f) => formatFieldPath(f.violation.path)).sort();
        if (!expectFail) {
          assert.deepEqual(run.findings.map((f) => `${formatFieldPath(f.violation.path)}: ${f.violation.message}`), []);
          return;
        }
        assert.ok(paths.length > 0, `${check.id} reported nothing`);
        const expected = header(text, 'expect').sort();
        if (expected.length > 0) assert.deepEqual(paths, expected);
        for (const finding of run.findings) assert.ok(finding.violation.message.length > 0, 'empty message');
      });
    }
    if (isInventoryCheck(check) && check.alone) {
      it('judges objects alone as over the whole inventory', () => {
        let judged = 0;
        for (const file of readdirSync(dir).sort()) {
          const text = readFileSync(join(dir, file), 'utf8');
          const objects = parseDocuments(text).documents.map((d) => d.object);
          judged += compareAloneVerdicts(check, objects, contextFor(text), file);
        }
        assert.ok(judged > 0, 'no fixture has an object it judges alone');
      });
    }
  });
}

/** Compares the check's verdicts on objects alone with its evaluation of all `objects`; returns how many it judged. */
function compareAloneVerdicts(check: InventoryCheck, objects: KubeObject[], ctx: CheckContext, file: string): number {
  const alone = check.alone!;
  const namespaceOf = (object: KubeObject) => (typeof object.metadata?.namespace === 'string' ? object.metadata.namespace : '');
  const blocked = new Set(objects.filter((o) => alone.unlessKinds.includes(String(o.kind))).map(namespaceOf));
  const all = check.evaluate(new Inventory(objects), ctx);
  let judged = 0;
  for (const object of objects) {
    if (!check.target.inventory.includes(String(object.kind)) || blocked.has(namespaceOf(object))) continue;
    const verdict = alone.evaluate(object, ctx);
    if (verdict === undefined) continue;
    judged++;
    const expected = all.filter((v) => 'object' in v.subject && v.subject.object === object);
    assert.deepEqual(verdict, expected, `${file}: ${String(object.kind)} ${String(object.metadata?.name)}`);
  }
  return judged;
}
