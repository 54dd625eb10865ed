import type { Command } from 'commander';
import { Option } from 'commander';
import { closeSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { ALL_CHECKS } from '../../checks/index.js';
import { parsePssVersion } from '../../core/model/check-context.js';
import type { InputError } from '../../core/model/report.js';
import { SEVERITIES, atLeast } from '../../core/model/severity.js';
import type { Severity } from '../../core/model/severity.js';
import { loadConfig } from '../../config/load-config.js';
import { selectChecks } from '../../config/select-checks.js';
import { checkContextFromConfig } from '../../config/check-context-from-config.js';
import { waiversFromConfig } from '../../config/waivers-from-config.js';
import { FRAMEWORKS, checkIdsOf, frameworkById } from '../../frameworks/index.js';
import { OUTPUT_FORMATS, reportChunks } from '../../outputs/index.js';
import type { OutputFormat } from '../../outputs/index.js';
import { manifestBatches } from '../../sources/manifests/load-manifests.js';
import { ScanSession } from '../../scan/scan-session.js';
import { EXIT } from '../exit-codes.js';

interface ScanManifestsOptions {
  output?: OutputFormat;
  outputFile?: string;
  failOn?: Severity;
  framework?: string[];
  config?: string;
  pssVersion?: string;
  color: boolean;
}

export function registerScanManifests(scan: Command, env: { version: string; setExitCode(code: number): void }): void {
  scan
    .command('manifests')
    .description('scan Kubernetes manifests: files, directories (recursive, Kustomize), or - for stdin')
    .argument('<paths...>', 'files or directories to scan; - reads stdin (e.g. helm template ... | aspis scan manifests -)')
    .addOption(new Option('-o, --output <format>', 'output format (default: table on a terminal, json otherwise)').choices(OUTPUT_FORMATS))
    .option('--output-file <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding at or above this severity remains').choices(SEVERITIES))
    .option('--framework <ids>', `only checks mapped to these frameworks, comma-separated (${FRAMEWORKS.map((f) => f.id).join(', ')})`, commaList)
    .option('-c, --config <file>', 'configuration file (default: .aspis.yaml in the current directory when present)')
    .option('--pss-version <version>', 'Pod Security Standards version: latest or v1.N (overrides the config)')
    .option('--no-color', 'no colours in the table output')
    .action(async (paths: string[], options: ScanManifestsOptions) => {
      env.setExitCode(await scanManifests(paths, options, env.version));
    });
}

async function scanManifests(paths: string[], options: ScanManifestsOptions, version: string): Promise<number> {
  const cwd = process.cwd();
  const errors: InputError[] = [];
  const loaded = loadConfig({ path: options.config, cwd });
  errors.push(...loaded.errors);
  const selection = selectChecks(ALL_CHECKS, loaded.config);
  errors.push(...selection.errors);
  let checks = selection.checks;

  let frameworks: string[] | undefined;
  if (options.framework) {
    frameworks = options.framework;
    const unknown = frameworks.filter((id) => !frameworkById(id));
    if (unknown.length > 0) {
      throw new Error(`unknown framework ${unknown.join(', ')}: known are ${FRAMEWORKS.map((f) => f.id).join(', ')}`);
    }
    const ids = new Set(frameworks.flatMap((id) => [...checkIdsOf(id)]));
    checks = checks.filter((check) => ids.has(check.id));
    if (checks.length === 0) throw new Error(`--framework ${frameworks.join(',')} selects no enabled check`);
  }

  const ctx = checkContextFromConfig(loaded.config);
  if (options.pssVersion) ctx.pssVersion = parsePssVersion(options.pssVersion);

  const session = new ScanSession({
    checks,
    catalog: ALL_CHECKS,
    ctx,
    waivers: waiversFromConfig(loaded.config),
    now: new Date(),
    inputs: paths,
    ...(frameworks ? { frameworks } : {}),
    toolVersion: version,
  });
  session.addErrors(errors);
  // One file (or stdin, or Kustomize build) at a time: its text and objects are released once scanned.
  for await (const batch of manifestBatches(paths, { stdin: process.stdin, cwd })) {
    session.addErrors(batch.errors);
    session.add(batch.resources);
  }
  const report = session.finish();

  const toFile = options.outputFile !== undefined;
  const format: OutputFormat = options.output ?? (process.stdout.isTTY && !toFile ? 'table' : 'json');
  const color = options.color && !toFile && Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'];
  const chunks = reportChunks(report, format, { color, checks });
  if (toFile) writeToFile(options.outputFile!, chunks);
  else await writeToStdout(chunks);

  if (report.errors.length > 0) {
    for (const error of report.errors) process.stderr.write(`aspis: ${describeError(error)}\n`);
    return EXIT.error;
  }
  if (options.failOn && report.findings.some((f) => atLeast(f.severity, options.failOn!))) return EXIT.findings;
  return EXIT.ok;
}

/** Writes the chunks to a file (created or truncated) as they come: the report's text is never one string. */
function writeToFile(path: string, chunks: Iterable<string>): void {
  const fd = openSync(path, 'w');
  try {
    for (const chunk of chunks) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}

/** Writes the chunks to standard output, waiting whenever its buffer is full, ending with a newline. */
async function writeToStdout(chunks: Iterable<string>): Promise<void> {
  let last = '';
  for (const chunk of chunks) {
    if (chunk === '') continue;
    last = chunk;
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
  }
  if (!last.endsWith('\n')) process.stdout.write('\n');
}

function commaList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((id) => id.trim()).filter(Boolean)];
}

function describeError(error: InputError): string {
  const where = [error.source, error.line, error.line !== undefined ? error.column : undefined].filter((x) => x !== undefined).join(':');
  return `${where}: ${error.field ? `${error.field}: ` : ''}${error.message}`;
}
