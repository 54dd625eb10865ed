import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../core/model/finding.js';
import type { WaiverReport } from '../../core/model/report.js';
import { imageScanJson, type ImageScanDocument } from '../../outputs/image-scan-report.js';
import { imageScanTable } from '../../outputs/image-scan-table.js';
import { EXIT } from '../exit-codes.js';
import { imageScanExitCode, imageScanNoteLines, imageScanProblemLines } from './image-scan-outcome.js';

const resource = { apiVersion: 'aspis.dev/v1', kind: 'ContainerImage', name: 'oci:/tmp/app:latest' };
const rootFinding: Finding = { checkId: 'image-runs-as-root', severity: 'high', resource, path: 'config.User', message: 'runs as root' };
const waived: Finding = { ...rootFinding, waiver: { source: 'config', reason: 'init image', declaredAt: '.aspis.yaml:3' } };
const expired: WaiverReport = { declaredAt: '.aspis.yaml:9', checks: ['image-shell-present'], reason: 'debug', expires: '2026-01-01', status: 'expired', message: 'expired on 2026-01-01' };
const note = 'Go package example.com/app (devel): not matched against the vulnerability database: a development build';

function document(findings: Finding[], extra: { notes?: string[]; checkWaivers?: WaiverReport[] } = {}): ImageScanDocument {
  return {
    tool: { name: 'aspis', version: '0.0.0' },
    generatedAt: '2026-11-27T00:00:00.000Z',
    images: [
      {
        scan: { target: { name: 'oci:/tmp/app:latest' }, packages: [], vulnerabilities: [], findings, problems: [], ...extra },
        triage: { active: [], suppressed: [], filtered: { severity: 0, unfixed: 0 } },
      },
    ],
    filters: { ignoreUnfixed: false },
    vex: [],
    waivers: [],
    problems: [],
  };
}

describe('image scan outcome', () => {
  it('--fail-on counts image check findings in effect and skips waived ones', () => {
    assert.equal(imageScanExitCode(document([rootFinding]), 'high'), EXIT.findings);
    assert.equal(imageScanExitCode(document([waived]), 'high'), EXIT.ok);
    assert.equal(imageScanExitCode(document([rootFinding]), 'critical'), EXIT.ok);
    assert.equal(imageScanExitCode(document([rootFinding]), undefined), EXIT.ok);
  });

  it('notes (unmatchable packages) are reported in JSON, the table and their own lines, and never change the exit code', () => {
    const noted = document([], { notes: [note] });
    assert.equal(imageScanExitCode(noted, 'info'), EXIT.ok);
    assert.deepEqual(imageScanNoteLines(noted), [note]);
    assert.deepEqual(imageScanProblemLines(noted), []);
    assert.deepEqual((JSON.parse(imageScanJson(noted)) as { notes: string[] }).notes, [note]);
    assert.ok(imageScanTable(noted).includes(`note: ${note}`));
    assert.equal('notes' in (JSON.parse(imageScanJson(document([]))) as object), false, 'no notes, no field');
  });

  it('check exceptions to look at (expired, unused, invalid) are rendered in JSON and the table', () => {
    const listed = document([waived], { checkWaivers: [expired] });
    assert.deepEqual((JSON.parse(imageScanJson(listed)) as { checkWaivers: WaiverReport[] }).checkWaivers, [expired]);
    assert.ok(imageScanTable(listed).includes('check exception at .aspis.yaml:9 (image-shell-present) expired: expired on 2026-01-01'));
  });
});
