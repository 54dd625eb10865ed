/**
 * Which database keys and versions an installed package is matched under (src/vuln/matching/package-lookups.ts),
 * and, end to end through a real SQLite database, that a Debian binNMU is matched at its source version.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageLookups } from '../../src/vuln/matching/package-lookups.js';
import { VulnDatabase } from '../../src/store/vuln-db/vuln-database.js';
import { importRecords } from '../../src/vuln/database/import-records.js';
import type { RecordInput } from '../../src/vuln/database/import-records.js';
import { matchPackages } from '../../src/vuln/matching/match-packages.js';

describe('package lookups', () => {
  it('match a distribution binary under its source package at the source version', () => {
    assert.deepEqual(packageLookups({ ecosystem: 'Debian', distroRelease: '12.5', name: 'libssl3', version: '3.0.11-1~deb12u2+b1', sourceName: 'openssl', sourceVersion: '3.0.11-1~deb12u2' }), [
      { ecosystem: 'Debian:12', name: 'openssl', version: '3.0.11-1~deb12u2' },
      { ecosystem: 'Debian:12', name: 'libssl3', version: '3.0.11-1~deb12u2+b1' },
    ]);
  });

  it('match a binNMU whose source has the same name at the source version (Debian advisories list source versions)', () => {
    assert.deepEqual(packageLookups({ ecosystem: 'Debian', distroRelease: '12', name: 'zlib1g', version: '1:1.2.13.dfsg-1+b1', sourceVersion: '1:1.2.13.dfsg-1' }), [
      { ecosystem: 'Debian:12', name: 'zlib1g', version: '1:1.2.13.dfsg-1' },
    ]);
  });

  it('keep the installed version outside distributions', () => {
    assert.deepEqual(packageLookups({ ecosystem: 'npm', name: 'lodash', version: '4.17.11', sourceVersion: '4.17.10' }), [{ ecosystem: 'npm', name: 'lodash', version: '4.17.11' }]);
  });
});

describe('a Debian binNMU against an advisory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aspis-binnmu-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is affected when the advisory enumerates its source version or names it last affected', async () => {
    const db = VulnDatabase.open(join(dir, 'osv.sqlite'), { create: true });
    try {
      const record = (id: string, affected: object) => ({ location: `${id}.json`, value: { schema_version: '1.6.0', id, modified: '2026-01-01T00:00:00Z', affected: [affected] } });
      async function* records(): AsyncGenerator<RecordInput> {
        yield record('DSA-0001-1', { package: { ecosystem: 'Debian:12', name: 'libfoo' }, versions: ['1.2-3'] });
        yield record('DSA-0002-1', { package: { ecosystem: 'Debian:12', name: 'libfoo' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: '1.2-3' }] }] });
      }
      const summary = await importRecords(records(), db);
      assert.equal(summary.problems?.length ?? 0, 0, JSON.stringify(summary));
      const ids = matchPackages(db, [{ ecosystem: 'Debian', distroRelease: '12', name: 'libfoo', version: '1.2-3+b1', sourceVersion: '1.2-3' }]).map((f) => f.id).sort();
      assert.deepEqual(ids, ['DSA-0001-1', 'DSA-0002-1']);
      // The next source version is past both.
      assert.deepEqual(matchPackages(db, [{ ecosystem: 'Debian', distroRelease: '12', name: 'libfoo', version: '1.2-4' }]), []);
    } finally {
      db.close();
    }
  });
});
