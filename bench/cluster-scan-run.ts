/**
 * Runs the built CLI's `aspis scan cluster -A -o json --output-file FILE --kubeconfig KUBECONFIG` in a child process,
 * as a user runs it, and returns its exit code, wall time, and peak RSS as the child itself measured it (getrusage).
 * Asynchronous on purpose: the fixture server answering the child lives in this process's event loop.
 */
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../src/core/model/report.js';

export interface ClusterScanRun {
  code: number;
  /** From spawning the child to its exit, as a user waits for it. */
  wallMs: number;
  /** Inside the child, from calling main() to its return (without Node's startup). */
  insideMs: number;
  maxRssKb: number;
  /** CPU time of the child (user + system): what the scan costs, whatever else the machine is doing. */
  cpuMs: number;
  /**
   * Largest heap left after a full (mark-compact) collection, from --trace-gc: what the scan really keeps. Peak RSS is
   * higher because V8 lets the heap grow well past it before collecting the garbage of parsed pages.
   */
  peakLiveHeapMb: number;
  /** What the report says: objects scanned, findings, errors. */
  objects: number;
  findings: number;
  errors: Report['errors'];
}

export async function runClusterScan(root: string, kubeconfig: string, outputFile: string, extraArgs: string[] = []): Promise<ClusterScanRun> {
  const args = ['node', 'aspis', 'scan', 'cluster', '-A', '-o', 'json', '--output-file', outputFile, '--kubeconfig', kubeconfig, ...extraArgs];
  const runner = `
    const { main } = await import(${JSON.stringify(join(root, 'dist/cli/main.js'))});
    const started = performance.now();
    const code = await main(${JSON.stringify(args)});
    process.stderr.write('BENCH ' + JSON.stringify({ code, ms: performance.now() - started, maxRssKb: process.resourceUsage().maxRSS, cpuMs: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000 }) + '\\n');
  `;
  const started = performance.now();
  const child = spawn(process.execPath, ['--trace-gc', '--input-type=module', '-e', runner], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let peakLiveHeapMb = 0;
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const match = /Mark-Compact[^>]*-> ([\d.]+) \(/.exec(line);
      if (match) peakLiveHeapMb = Math.max(peakLiveHeapMb, Number(match[1]));
    }
  });
  const exit: number = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  const wallMs = performance.now() - started;
  const line = stderr.split('\n').find((l) => l.startsWith('BENCH '));
  if (!line) throw new Error(`aspis scan cluster did not finish (exit ${exit}): ${stderr.slice(0, 2000)}`);
  const inside = JSON.parse(line.slice('BENCH '.length)) as { code: number; ms: number; maxRssKb: number; cpuMs: number };
  const report = reportFigures(outputFile);
  rmSync(outputFile, { force: true });
  return {
    code: inside.code,
    wallMs,
    insideMs: inside.ms,
    maxRssKb: inside.maxRssKb,
    cpuMs: inside.cpuMs,
    peakLiveHeapMb,
    objects: report.summary.objects,
    findings: report.summary.findings,
    errors: report.errors,
  };
}

/**
 * The summary and errors of a JSON report without reading it whole: with millions of findings it is larger than the
 * longest string Node can hold. The JSON output writes one top-level field per line, `errors` last.
 */
function reportFigures(file: string): Pick<Report, 'summary' | 'errors'> {
  const descriptor = openSync(file, 'r');
  try {
    const read = (position: number, length: number): string => {
      const buffer = Buffer.alloc(length);
      return buffer.subarray(0, readSync(descriptor, buffer, 0, length, position)).toString('utf8');
    };
    const head = read(0, 1 << 16);
    const summaryLine = head.split('\n').find((line) => line.startsWith('"summary": '));
    if (!summaryLine) throw new Error(`${file}: no summary line in the report`);
    const summary = JSON.parse(summaryLine.slice('"summary": '.length).replace(/,$/, '')) as Report['summary'];
    if (summary.errors === 0) return { summary, errors: [] };
    const size = fstatSync(descriptor).size;
    const tail = read(Math.max(0, size - (1 << 22)), Math.min(size, 1 << 22));
    const start = tail.lastIndexOf('\n"errors": [');
    const errors = start < 0 ? [] : (JSON.parse(`{${tail.slice(start + 1)}`) as { errors: Report['errors'] }).errors;
    return { summary, errors };
  } finally {
    closeSync(descriptor);
  }
}
