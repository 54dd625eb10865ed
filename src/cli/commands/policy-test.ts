/**
 * `aspis policy test <dir...>` (like `kyverno test`): runs a folder of ValidatingAdmissionPolicies against its
 * fixtures and reports per policy. Layout (docs/cel-policies.md):
 *
 *   <dir>/**\/*.yaml              policies and bindings; any other object outside tests/ is context: a Namespace
 *                                (labels for namespaceSelector, `namespaceObject`) or a param object (paramRef)
 *   <dir>/tests/**\/pass.*.yaml   objects every policy of <dir> must admit (no validation fails, no error)
 *   <dir>/tests/**\/fail.*.yaml   objects some policy must refuse; `# expect: <policy>[, <policy>…]` header lines
 *                                name exactly which policies must fail on every object of the file
 *
 * Each object is evaluated as its creation request (resource from the built-in API table, `default` namespace for a
 * namespaced object without one). Exit 0: every result as expected; 1: a result differs; 2: bad input (a policy
 * that does not compile, a fixture file that is neither pass.* nor fail.*, an unknown policy in `# expect:`, a
 * folder without policies or without fixtures).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { sep } from 'node:path';
import type { InputError } from '../../core/model/report.js';
import { formatRef, refOf, type KubeObject } from '../../core/model/resource.js';
import { compilePolicies, evaluate, paramsFromObjects, type CompiledPolicySet } from '../../policy/index.js';
import { formatErrorSource } from '../../outputs/text.js';
import { EXIT } from '../exit-codes.js';
import { attributesForStoredObject } from './policy-attributes.js';
import { loadObjects, type LoadedFile } from './policy-folder.js';

const POLICY_KINDS = new Set(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);

export interface PolicyTestMismatch {
  file: string;
  object: string;
  expected: string;
  actual: string;
}

export interface PolicyTestResult {
  folder: string;
  policies: { name: string; expected: number; agreed: number }[];
  fixtures: number;
  objects: number;
  mismatches: PolicyTestMismatch[];
  errors: InputError[];
}

function isFixture(file: LoadedFile, folder: string): boolean {
  const inside = file.path.startsWith(folder) ? file.path.slice(folder.length) : file.path;
  return inside.split(/[\\/]/).includes('tests');
}

function basename(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** Runs one folder's fixtures. Pure apart from reading the folder. */
export function runPolicyTest(folder: string, cwd: string = process.cwd()): PolicyTestResult {
  const loaded = loadObjects([folder], cwd);
  const errors: InputError[] = [...loaded.errors];
  const prefix = loaded.files[0]?.path.startsWith(folder) ? folder : '';
  const fixtures = loaded.files.filter((f) => isFixture(f, prefix || folder));
  const definitions = loaded.files.filter((f) => !fixtures.includes(f)).flatMap((f) => f.objects);
  const result: PolicyTestResult = { folder, policies: [], fixtures: fixtures.length, objects: 0, mismatches: [], errors };

  const { policies, errors: compileErrors } = compilePolicies(definitions, { sourceOf: loaded.sourceOf });
  for (const e of compileErrors) errors.push({ source: e.source ?? e.object, field: e.fieldPath, message: e.line ? `${e.reason} (line ${e.line}, column ${e.column} of ${JSON.stringify(e.expression)})` : e.reason });
  if (policies.policies.length === 0) {
    errors.push({ source: folder, message: 'no ValidatingAdmissionPolicy found (outside tests/)' });
    return result;
  }
  if (fixtures.length === 0) {
    errors.push({ source: folder, message: `no fixtures: expected tests${sep}**${sep}pass.*.yaml and fail.*.yaml files` });
    return result;
  }
  const context = definitions.filter((o) => !POLICY_KINDS.has(String(o.kind)));
  const namespaces = new Map(context.filter((o) => o.kind === 'Namespace' && o.metadata?.name).map((o) => [String(o.metadata!.name), o]));
  const params = paramsFromObjects(context.filter((o) => o.kind !== 'Namespace'));
  const names = policies.policies.map((p) => p.name);
  const tally = new Map(names.map((n) => [n, { expected: 0, agreed: 0 }]));

  for (const file of fixtures) {
    const name = basename(file.path);
    const kind = name.startsWith('pass.') ? 'pass' : name.startsWith('fail.') ? 'fail' : undefined;
    if (!kind) {
      errors.push({ source: file.path, message: 'a fixture file must be named pass.*.yaml or fail.*.yaml' });
      continue;
    }
    const expects = file.header.filter((h) => h.key === 'expect').flatMap((h) => h.value.split(',').map((v) => v.trim()).filter(Boolean));
    const unknown = expects.filter((e) => !tally.has(e));
    if (unknown.length > 0) {
      errors.push({ source: file.path, message: `# expect: names no policy of ${folder}: ${unknown.join(', ')} (policies: ${names.join(', ')})` });
      continue;
    }
    if (kind === 'pass' && expects.length > 0) {
      errors.push({ source: file.path, message: '# expect: belongs in fail.* fixtures (a pass fixture expects no policy to fail)' });
      continue;
    }
    if (file.objects.length === 0) errors.push({ source: file.path, message: 'fixture file holds no object' });
    for (const object of file.objects) {
      result.objects++;
      checkObject(object, file, kind, expects, policies, { namespaces, params }, tally, result, loaded.sourceOf);
    }
  }
  result.policies = names.map((n) => ({ name: n, ...tally.get(n)! }));
  return result;
}

function checkObject(
  object: KubeObject,
  file: LoadedFile,
  kind: 'pass' | 'fail',
  expects: string[],
  set: CompiledPolicySet,
  context: Parameters<typeof attributesForStoredObject>[1],
  tally: Map<string, { expected: number; agreed: number }>,
  result: PolicyTestResult,
  sourceOf: (o: KubeObject) => string | undefined,
): void {
  const outcome = evaluate(set, attributesForStoredObject(object, context));
  const failing = new Map<string, string>();
  for (const d of [...outcome.decisions]) if (!failing.has(d.policy)) failing.set(d.policy, d.message);
  const describe = (policies: Iterable<string>): string => [...policies].map((p) => (failing.has(p) ? `${p} (${failing.get(p)})` : p)).join(', ') || 'no policy';
  const where = sourceOf(object) ?? file.path;
  const ref = formatRef(refOf(object));
  for (const [policy, counts] of tally) {
    const expectedFail = kind === 'pass' ? false : expects.length > 0 ? expects.includes(policy) : undefined;
    if (expectedFail === undefined) continue;
    counts.expected++;
    if (expectedFail === failing.has(policy)) counts.agreed++;
  }
  if (kind === 'pass' && failing.size > 0) {
    result.mismatches.push({ file: where, object: ref, expected: 'admitted by every policy', actual: `refused by ${describe(failing.keys())}` });
  } else if (kind === 'fail' && expects.length === 0 && failing.size === 0) {
    result.mismatches.push({ file: where, object: ref, expected: 'refused by some policy', actual: 'admitted by every policy' });
  } else if (kind === 'fail' && expects.length > 0) {
    const missing = expects.filter((p) => !failing.has(p));
    const extra = [...failing.keys()].filter((p) => !expects.includes(p));
    if (missing.length > 0 || extra.length > 0) {
      result.mismatches.push({
        file: where,
        object: ref,
        expected: `refused by exactly ${expects.join(', ')}`,
        actual: failing.size > 0 ? `refused by ${describe(failing.keys())}` : 'admitted by every policy',
      });
    }
  }
}

function textReport(results: PolicyTestResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.folder}: ${r.policies.length} policies, ${r.fixtures} fixture files, ${r.objects} objects`);
    const width = Math.max(6, ...r.policies.map((p) => p.name.length));
    for (const p of r.policies) {
      const status = p.expected === 0 ? 'untested' : p.agreed === p.expected ? 'ok' : 'FAIL';
      lines.push(`  ${p.name.padEnd(width)}  ${`${p.agreed}/${p.expected}`.padStart(7)}  ${status}`);
    }
    for (const m of r.mismatches) lines.push(`  ${m.file} ${m.object}: expected ${m.expected}, got ${m.actual}`);
    for (const e of r.errors) lines.push(`  error: ${formatErrorSource(e)}: ${e.field ? `${e.field}: ` : ''}${e.message}`);
    lines.push(r.errors.length > 0 ? `  ${r.errors.length} error(s)` : r.mismatches.length === 0 ? '  all results as expected' : `  ${r.mismatches.length} result(s) differ`);
  }
  return `${lines.join('\n')}\n`;
}

/** The `policy` command group, shared with other policy subcommands whichever registers first. */
function policyCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'policy') ?? program.command('policy').description('admission policies: test and simulate');
}

export function registerPolicyTest(program: Command, env: { setExitCode(code: number): void }): void {
  policyCommand(program)
    .command('test')
    .description('run folders of ValidatingAdmissionPolicies against their pass/fail fixtures (tests/**/pass.*.yaml, fail.*.yaml)')
    .argument('<dirs...>', 'policy folders')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((dirs: string[], options: { output: 'text' | 'json' }) => {
      const results = dirs.map((dir) => runPolicyTest(dir));
      process.stdout.write(options.output === 'json' ? `${JSON.stringify(results, null, 2)}\n` : textReport(results));
      const code = results.some((r) => r.errors.length > 0) ? EXIT.error : results.some((r) => r.mismatches.length > 0) ? EXIT.findings : EXIT.ok;
      env.setExitCode(code);
    });
}
