import cvssCalculator from 'ae-cvss-calculator';

/**
 * CVSS base scores for v3.0, v3.1 and v4.0 vectors (and v2, which old OSV records still carry), computed with
 * ae-cvss-calculator ({metæffekt}'s implementation of FIRST's specifications). The vector is checked here first
 * (prefix, every mandatory base metric exactly once with a defined value), because the library accepts malformed
 * vectors silently or fails with unclear errors. test/vuln/cvss-base-score.test.ts checks the scores against
 * FIRST's published examples.
 */
export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';

export interface CvssScore {
  readonly version: CvssVersion;
  readonly vector: string;
  readonly baseScore: number;
}

const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = cvssCalculator as unknown as typeof import('ae-cvss-calculator');

/** Mandatory base metrics and their allowed values, per version (FIRST specification tables). */
const V3_BASE: Record<string, string> = { AV: 'NALP', AC: 'LH', PR: 'NLH', UI: 'NR', S: 'UC', C: 'HLN', I: 'HLN', A: 'HLN' };
const BASE: Record<CvssVersion, Record<string, string>> = {
  '2.0': { AV: 'LAN', AC: 'HML', Au: 'MSN', C: 'NPC', I: 'NPC', A: 'NPC' },
  '3.0': V3_BASE,
  '3.1': V3_BASE,
  '4.0': { AV: 'NALP', AC: 'LH', AT: 'NP', PR: 'NLH', UI: 'NPA', VC: 'HLN', VI: 'HLN', VA: 'HLN', SC: 'HLN', SI: 'HLN', SA: 'HLN' },
};

export class InvalidCvssVectorError extends Error {
  constructor(vector: string, reason: string) {
    super(`invalid CVSS vector "${vector}": ${reason}`);
    this.name = 'InvalidCvssVectorError';
  }
}

function versionOf(vector: string): { version: CvssVersion; metrics: string } {
  const prefixed = /^CVSS:(3\.0|3\.1|4\.0)\/(.*)$/.exec(vector);
  if (prefixed) return { version: prefixed[1] as CvssVersion, metrics: prefixed[2]! };
  // CVSS v2 vectors have no prefix (OSV writes them bare, sometimes in parentheses).
  const bare = vector.replace(/^\((.*)\)$/, '$1');
  if (/^AV:[LAN]\//.test(bare) && bare.includes('Au:')) return { version: '2.0', metrics: bare };
  throw new InvalidCvssVectorError(vector, 'it does not start with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/ (nor is it a CVSS v2 vector)');
}

function checkBaseMetrics(vector: string, version: CvssVersion, metrics: string): void {
  const seen = new Map<string, string>();
  for (const part of metrics.split('/')) {
    const [name, value, extra] = part.split(':');
    if (!name || value === undefined || extra !== undefined || value === '') throw new InvalidCvssVectorError(vector, `"${part}" is not METRIC:VALUE`);
    if (seen.has(name)) throw new InvalidCvssVectorError(vector, `metric ${name} appears twice`);
    seen.set(name, value);
  }
  for (const [name, values] of Object.entries(BASE[version])) {
    const value = seen.get(name);
    if (value === undefined) throw new InvalidCvssVectorError(vector, `base metric ${name} is missing`);
    if (value.length !== 1 || !values.includes(value)) throw new InvalidCvssVectorError(vector, `${name}:${value} is not a defined value`);
  }
}

export function cvssBaseScore(vector: string): CvssScore {
  const text = vector.trim();
  const { version, metrics } = versionOf(text);
  checkBaseMetrics(text, version, metrics);
  const calculator =
    version === '2.0' ? new Cvss2(metrics) : version === '3.0' ? new Cvss3P0(text) : version === '3.1' ? new Cvss3P1(text) : new Cvss4P0(text);
  // For v4 the base score is CVSS-B (base metrics only), as for v2 and v3 where threat/temporal metrics are ignored.
  const scores = calculator.calculateScores() as { base?: number; baseMetricsOnly?: number };
  const base = version === '4.0' ? scores.baseMetricsOnly : scores.base;
  if (typeof base !== 'number' || Number.isNaN(base)) throw new InvalidCvssVectorError(vector, 'no base score could be computed');
  return { version, vector: text, baseScore: base };
}
