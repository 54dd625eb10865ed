/**
 * V8's optimizing compiler tuned for a command that runs for seconds and exits, such as `aspis scan manifests`.
 *
 * TurboFan inlines the small functions a hot function calls; that makes each optimizing compile about twice as
 * costly. A scan's hot code is many mid-sized functions (the YAML scanner, 61 checks, rendering) that become hot one
 * after another, so over a scan of 10,000 objects each thread spends ~1.5 s of compiler time with inlining and
 * ~0.7 s without (`node --trace-opt`), on cores the scanning threads need: without it the benchmark's scan takes
 * ~10 % less CPU and wall time, and a 3× larger scan the same time (docs/performance.md, 2026-11-29). Long-running
 * commands (the webhook, servers) keep V8's defaults, where inlined code repays its compile many times over.
 */
import { setFlagsFromString } from 'node:v8';

const FLAG = '--no-turbo-inlining';

/**
 * Turns TurboFan's inlining off for this process and its worker threads (V8 flags are per process; compiles that
 * start afterwards follow them), unless the user chose it on Node's command line (Node refuses V8 compiler flags in
 * NODE_OPTIONS). Returns the flag set, or undefined.
 */
export function tuneCompilerForShortRun(execArgv: readonly string[] = process.execArgv): string | undefined {
  if (execArgv.some((option) => /^--(no-)?turbo[-_]inlining$/.test(option))) return undefined;
  setFlagsFromString(FLAG);
  return FLAG;
}
