/**
 * The scan derives each workload's Pod Security level from the findings of the checks it ran; it must equal a
 * direct evaluation, also when some Pod Security checks are disabled. Run over every upstream PSA fixture.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_CHECKS } from '../../src/checks/index.js';
import { defaultCheckContext, parsePssVersion } from '../../src/core/model/check-context.js';
import { refOf } from '../../src/core/model/resource.js';
import type { Resource } from '../../src/core/model/resource.js';
import { workloadOf } from '../../src/core/k8s/workload.js';
import { pssLevelOf } from '../../src/frameworks/pss.js';
import { buildReport } from '../../src/scan/build-report.js';
import { parseDocuments } from '../../src/sources/manifests/parse-documents.js';
import { corpusDir } from '../corpora/corpus-location.js';

const root = join(corpusDir('pod-security-admission'), 'test', 'testdata');
const disabled = new Set(['seccomp-profile-restricted', 'host-namespaces', 'run-as-non-root']);

it('report pssLevel equals a direct evaluation for every PSA fixture, with all or some checks', () => {
  let compared = 0;
  for (const level of readdirSync(root).filter((d) => d === 'baseline' || d === 'restricted')) {
    for (const version of readdirSync(join(root, level))) {
      const ctx = { ...defaultCheckContext(), pssVersion: parsePssVersion(version) };
      const resources: Resource[] = [];
      for (const outcome of ['pass', 'fail']) {
        for (const file of readdirSync(join(root, level, version, outcome))) {
          for (const doc of parseDocuments(readFileSync(join(root, level, version, outcome, file), 'utf8')).documents) {
            resources.push({ object: doc.object, ref: refOf(doc.object), origin: { type: 'file', file, documentIndex: 0 } });
          }
        }
      }
      for (const checks of [ALL_CHECKS, ALL_CHECKS.filter((c) => !disabled.has(c.id))]) {
        const report = buildReport({
          resources, inputErrors: [], checks, catalog: ALL_CHECKS, ctx, waivers: [], now: new Date(0), inputs: [], toolVersion: 'test',
        });
        report.objects.forEach((summary, i) => {
          const expected = pssLevelOf(workloadOf(resources[i]!.object)!, ctx.pssVersion);
          assert.equal(summary.pssLevel, expected, `${level}/${version} ${summary.resource.name}`);
          compared++;
        });
      }
    }
  }
  assert.ok(compared > 1000, `only ${compared} comparisons`);
});
