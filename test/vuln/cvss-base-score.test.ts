/**
 * CVSS base scores against FIRST's published examples: the CVSS v3.1 "Examples" document (each CVE with its
 * vector and base score; v3.0 gives the same base score for these vectors) and CVSS v4.0 scores of FIRST's
 * calculator (the specification's reference implementation).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cvssBaseScore } from '../../src/vuln/severity/cvss-base-score.js';
import { vulnerabilitySeverity } from '../../src/vuln/severity/vulnerability-severity.js';

/** FIRST, "CVSS v3.1 Examples": CVE → base vector and score. */
const V31_EXAMPLES: ReadonlyArray<readonly [string, string, number]> = [
  ['CVE-2013-1937', 'AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
  ['CVE-2013-0375', 'AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4],
  ['CVE-2014-3566', 'AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1],
  ['CVE-2012-1516', 'AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9],
  ['CVE-2012-0384', 'AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 8.8],
  ['CVE-2015-1098', 'AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 7.8],
  ['CVE-2014-0160', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5],
  ['CVE-2014-6271', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
  ['CVE-2008-1447', 'AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N', 6.8],
  ['CVE-2014-2005', 'AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 6.8],
  ['CVE-2010-0467', 'AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N', 5.8],
  ['CVE-2012-1342', 'AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:L/A:N', 5.8],
  ['CVE-2013-6014', 'AV:A/AC:L/PR:N/UI:N/S:C/C:N/I:H/A:H', 9.3],
  ['CVE-2011-1265', 'AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 8.8],
  ['CVE-2014-2019', 'AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N', 4.6],
  ['CVE-2015-0970', 'AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 8.8],
  ['CVE-2014-0224', 'AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N', 7.4],
  ['CVE-2012-5376', 'AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H', 9.6],
  ['CVE-2016-1645', 'AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 8.8],
  ['CVE-2016-0128', 'AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N', 6.8],
];

/** CVSS v4.0 base (CVSS-B) scores from FIRST's calculator. */
const V40_EXAMPLES: ReadonlyArray<readonly [string, number]> = [
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N', 6.9],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N', 5.3],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', 0],
];

describe('CVSS base scores', () => {
  it('CVSS v3.1 and v3.0: FIRST examples', () => {
    for (const [cve, metrics, score] of V31_EXAMPLES) {
      assert.equal(cvssBaseScore(`CVSS:3.1/${metrics}`).baseScore, score, `${cve} v3.1`);
      assert.equal(cvssBaseScore(`CVSS:3.0/${metrics}`).baseScore, score, `${cve} v3.0`);
    }
  });

  it('CVSS v4.0: base score (CVSS-B), threat metrics do not change it', () => {
    for (const [vector, score] of V40_EXAMPLES) assert.equal(cvssBaseScore(vector).baseScore, score, vector);
    assert.equal(cvssBaseScore(`${V40_EXAMPLES[0]![0]}/E:U`).baseScore, 9.3);
  });

  it('v3 temporal metrics do not change the base score', () => {
    assert.equal(cvssBaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C').baseScore, 9.8);
  });

  it('rejects malformed vectors with the reason', () => {
    assert.throws(() => cvssBaseScore('CVSS:3.1/AV:N/AC:L'), /base metric PR is missing/);
    assert.throws(() => cvssBaseScore('CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), /AV:Q is not a defined value/);
    assert.throws(() => cvssBaseScore('CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), /AV appears twice/);
    assert.throws(() => cvssBaseScore('CVSS:5.0/AV:N'), /does not start with/);
  });
});

describe('vulnerability severity', () => {
  it('prefers the newest CVSS version and rates its score', () => {
    const severity = vulnerabilitySeverity([
      { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N' },
      { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
    ]);
    assert.deepEqual([severity.rating, severity.score, severity.source], ['critical', 9.3, 'CVSS:4.0']);
    assert.equal(severity.cvss.length, 2);
  });

  it('falls back to a distribution rating, then database_specific, else unknown; keeps invalid vectors as messages', () => {
    assert.equal(vulnerabilitySeverity([{ type: 'Ubuntu', score: 'medium' }]).rating, 'medium');
    assert.equal(vulnerabilitySeverity([], { severity: 'MODERATE' }).rating, 'medium');
    const none = vulnerabilitySeverity([{ type: 'CVSS_V3', score: 'nonsense' }]);
    assert.equal(none.rating, 'unknown');
    assert.match(none.invalid[0]!, /nonsense/);
  });
});
