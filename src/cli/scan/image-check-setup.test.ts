import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_CHECKS } from '../../checks/index.js';
import type { Waiver } from '../../core/model/waiver.js';
import { imageWaivers, loadImageCheckSetup } from './image-check-setup.js';

const waiver = (checks: string[], kinds?: string[]): Waiver => ({ checks, selector: kinds ? { kinds } : {}, reason: 'r', source: 'config', declaredAt: `.aspis.yaml ${checks.join(',')} ${kinds ?? ''}` });

it('image scans use the exceptions that can apply to ContainerImage objects only', () => {
  const kept = imageWaivers(
    [
      waiver(['image-shell-present']),
      waiver(['*'], ['Container*']),
      waiver(['image-runs-as-root', 'privileged-containers'], ['ContainerImage', 'Pod']),
      waiver(['privileged-containers']),
      waiver(['image-shell-present'], ['Deployment']),
      waiver(['*'], ['Pod']),
      waiver(['no-such-check']),
    ],
    ALL_CHECKS,
  );
  assert.deepEqual(kept.map((w) => w.declaredAt), [
    '.aspis.yaml image-shell-present ',
    '.aspis.yaml * Container*',
    '.aspis.yaml image-runs-as-root,privileged-containers ContainerImage,Pod',
  ]);
});

it('loads .aspis.yaml: only image checks run, with configured severities; config errors are kept', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'aspis-image-setup-'));
  try {
    writeFileSync(join(cwd, '.aspis.yaml'), 'checks:\n  disable: [image-shell-present, privileged-containers]\n  severity: {image-runs-as-root: critical}\n  enable: [no-such-check]\nvulnerabilities:\n  vex: [""]\n');
    const setup = loadImageCheckSetup({ cwd });
    const ids = setup.checks.map((c) => c.id);
    assert.ok(ids.length > 0 && ids.every((id) => id.startsWith('image-')) && !ids.includes('image-tag-latest'), ids.join(', '));
    assert.ok(!ids.includes('image-shell-present'));
    assert.equal(setup.checks.find((c) => c.id === 'image-runs-as-root')?.severity, 'critical');
    // The vulnerabilities section's error (line 6) is the vulnerability triage's to report, not the image checks'.
    assert.deepEqual(setup.errors.map((e) => `${e.source}:${e.line} ${e.field}`), ['.aspis.yaml:4 checks.enable[0]']);
    assert.deepEqual(loadImageCheckSetup({ cwd, path: 'missing.yaml' }).errors.map((e) => e.message), ['configuration file not found']);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
