import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { tuneCompilerForShortRun } from './short-run-compiler.js';

describe('tuneCompilerForShortRun', () => {
  const module = JSON.stringify(new URL('./short-run-compiler.ts', import.meta.url).href);
  // A small function called from a hot loop: TurboFan inlines it unless told not to; --trace-turbo-inlining says so.
  const script = (tune: boolean): string => `
    const { tuneCompilerForShortRun } = await import(${module});
    process.stderr.write('applied ' + String(${tune ? 'tuneCompilerForShortRun()' : 'undefined'}) + '\\n');
    function small(x) { return x * 2 + 1; }
    function hot(n) { let s = 0; for (let i = 0; i < n; i++) s += small(i); return s; }
    let total = 0;
    for (let k = 0; k < 300; k++) total += hot(10000);
    process.stderr.write('total ' + total + '\\n');`;
  // V8 traces to standard output, the script to standard error.
  const run = (tune: boolean, nodeFlags: string[] = []): { trace: string; said: string } => {
    const child = spawnSync(process.execPath, [...nodeFlags, '--trace-turbo-inlining', '--import', 'tsx', '--input-type=module', '-e', script(tune)], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    assert.equal(child.status, 0, child.stderr);
    return { trace: child.stdout, said: child.stderr };
  };
  const inlinesSmall = ({ trace }: { trace: string }): boolean => /Inlining .*SharedFunctionInfo small/.test(trace);

  it('turns inlining off in the running process, for the functions optimized afterwards', () => {
    const untouched = run(false);
    assert.ok(inlinesSmall(untouched), `V8 inlines the small function by default:\n${untouched.trace.slice(0, 2000)}`);
    const tuned = run(true);
    assert.match(tuned.said, /^applied --no-turbo-inlining$/m);
    assert.ok(!inlinesSmall(tuned), tuned.trace.slice(0, 2000));
    // Same results either way: only how the code is compiled changes.
    assert.match(untouched.said, /^total 30000000000$/m);
    assert.match(tuned.said, /^total 30000000000$/m);
  });

  it("leaves the user's own choice on Node's command line alone", () => {
    const chosen = run(true, ['--turbo-inlining']);
    assert.match(chosen.said, /^applied undefined$/m);
    assert.ok(inlinesSmall(chosen));
    assert.equal(tuneCompilerForShortRun(['--max-old-space-size=4096', '--no-turbo_inlining']), undefined);
  });

  it('does not take other flags that mention inlining for a choice', () => {
    // The first test already applies the flag in a child started with --trace-turbo-inlining.
    assert.equal(tuneCompilerForShortRun(['--trace-turbo-inlining', '--max-inlined-bytecode-size=100']), '--no-turbo-inlining');
  });
});
