/**
 * osv-scalibr's version-ordering fixtures (../shared/corpora/osv-version-ordering, see its PROVENANCE.md): every
 * assertion `A <op> B`, checked both ways (compare(A,B) has the sign of op and compare(B,A) the opposite), for
 * every OSV ecosystem the file is the oracle of. 100% is required; a failure lists each failing vector.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir } from '../corpora/corpus-location.js';
import { comparatorForEcosystem } from '../../src/vuln/versions/comparator-for-ecosystem.js';

const testdata = join(corpusDir('osv-version-ordering'), 'semantic', 'testdata');

/** Corpus file prefix → the OSV ecosystems it is the oracle for (PROVENANCE.md's table). */
const ORACLE_OF: Readonly<Record<string, readonly string[]>> = {
  semver: ['npm', 'crates.io', 'Go', 'Hex'],
  debian: ['Debian', 'Ubuntu'],
  alpine: ['Alpine'],
  redhat: ['Red Hat'],
  pypi: ['PyPI'],
  maven: ['Maven'],
  rubygems: ['RubyGems'],
  nuget: ['NuGet'],
  packagist: ['Packagist'],
  cran: ['CRAN'],
  pub: ['Pub'],
  hackage: ['Hackage'],
};

interface Assertion {
  readonly where: string;
  readonly a: string;
  readonly op: '<' | '=' | '>';
  readonly b: string;
}

function readAssertions(file: string): Assertion[] {
  const out: Assertion[] = [];
  readFileSync(join(testdata, file), 'utf8')
    .split('\n')
    .forEach((line, index) => {
      // Upstream's convention: "# " and "// " start comments; "#" inside a version (packagist) does not.
      if (line.trim() === '' || line.startsWith('# ') || line.startsWith('// ')) return;
      const parts = line.split(' ');
      if (parts.length !== 3 || !['<', '=', '>'].includes(parts[1]!)) throw new Error(`${file}:${index + 1}: not "A op B": ${line}`);
      out.push({ where: `${file}:${index + 1}`, a: parts[0]!, op: parts[1] as Assertion['op'], b: parts[2]! });
    });
  return out;
}

const SIGN = { '<': -1, '=': 0, '>': 1 } as const;
const OP_OF_SIGN: Record<string, string> = { '-1': '<', '0': '=', '1': '>' };

function signOf(compare: (a: string, b: string) => number, a: string, b: string): string {
  try {
    return OP_OF_SIGN[String(Math.sign(compare(a, b)))]!;
  } catch (error) {
    return `error (${(error as Error).message})`;
  }
}

const files = readdirSync(testdata).filter((f) => f.endsWith('.txt'));

it('every corpus file has an ecosystem that it is the oracle of', () => {
  const unmapped = files.filter((f) => !Object.keys(ORACLE_OF).some((prefix) => f.startsWith(`${prefix}-`)));
  assert.deepEqual(unmapped, []);
});

for (const [prefix, ecosystems] of Object.entries(ORACLE_OF)) {
  const assertions = files.filter((f) => f.startsWith(`${prefix}-`)).flatMap(readAssertions);
  describe(`${prefix} ordering fixtures (${assertions.length} assertions)`, () => {
    it('has assertions', () => assert.ok(assertions.length > 0));
    for (const ecosystem of ecosystems) {
      it(`${ecosystem}: every assertion holds in both directions`, () => {
        const comparator = comparatorForEcosystem(ecosystem);
        assert.ok(comparator, `no comparator for ${ecosystem}`);
        const failures: string[] = [];
        for (const { where, a, op, b } of assertions) {
          const forward = signOf(comparator.compare, a, b);
          const backward = signOf(comparator.compare, b, a);
          const wantBackward = OP_OF_SIGN[String(-SIGN[op])];
          if (forward !== op || backward !== wantBackward) {
            failures.push(`${where}: ${a} ${op} ${b}, got ${a} ${forward} ${b} and ${b} ${backward} ${a}`);
          }
        }
        assert.equal(failures.length, 0, `${failures.length} of ${assertions.length} failed:\n${failures.join('\n')}`);
      });
    }
  });
}
