import type { Command } from 'commander';
import { Option } from 'commander';
import { SEVERITIES } from '../../core/model/severity.js';
import type { Severity } from '../../core/model/severity.js';
import { FRAMEWORKS } from '../../frameworks/index.js';
import { OUTPUT_FORMATS } from '../../outputs/index.js';
import type { OutputFormat } from '../../outputs/index.js';

/** The options every scan command shares (manifests, cluster), so they read and behave the same. */
export interface ScanOptions {
  output?: OutputFormat;
  outputFile?: string;
  failOn?: Severity;
  framework?: string[];
  config?: string;
  pssVersion?: string;
  /** Folder of ValidatingAdmissionPolicies to run as checks (see policy-checks.ts). */
  policies?: string;
  color: boolean;
}

/** `extraFormats`: formats one command adds to the report's (scan cluster's `cyclonedx`, for --images). */
export function addScanOptions(command: Command, extraFormats: readonly string[] = []): Command {
  return command
    .addOption(new Option('-o, --output <format>', 'output format (default: table on a terminal, json otherwise)').choices([...OUTPUT_FORMATS, ...extraFormats]))
    .option('--output-file <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding at or above this severity remains').choices(SEVERITIES))
    .option('--framework <ids>', `only checks mapped to these frameworks, comma-separated (${FRAMEWORKS.map((f) => f.id).join(', ')})`, commaList)
    .option('-c, --config <file>', 'configuration file (default: .aspis.yaml in the current directory when present)')
    .option('--pss-version <version>', 'Pod Security Standards version: latest or v1.N (overrides the config)')
    .option('--policies <dir>', 'also run the ValidatingAdmissionPolicies of this folder (CEL), one check per policy')
    .option('--no-color', 'no colours in the table output');
}

function commaList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((id) => id.trim()).filter(Boolean)];
}
