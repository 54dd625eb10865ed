/**
 * `aspis sbom IMAGE -o cyclonedx|spdx`: the packages of a container image (registry, OCI layout, OCI archive or
 * docker-save archive; see docs/images.md) as a CycloneDX 1.6 or SPDX 2.3 JSON document. Problems with the image
 * (corrupt layers, unreadable files) go to stderr and make the exit code 2; the SBOM of what could be read is
 * still written.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { imageSbom, readImage } from '../../sources/image/read-image.js';
import { EXIT } from '../exit-codes.js';

export interface ImageInputOptions {
  platform?: string;
  insecure?: boolean;
}

/** The options every command reading an image shares. */
export function addImageInputOptions(command: Command): Command {
  return command
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image (default: linux/<this machine>)')
    .option('--insecure', 'plain HTTP to a registry on loopback (refused for any other host)');
}

interface SbomOptions extends ImageInputOptions {
  output: 'cyclonedx' | 'spdx';
  outputFile?: string;
}

export function registerSbom(program: Command, env: { version: string; setExitCode(code: number): void }): void {
  const command = program
    .command('sbom')
    .description('write the SBOM of a container image (CycloneDX 1.6 or SPDX 2.3 JSON)')
    .argument('<image>', 'registry reference, oci:DIR[:NAME], oci-archive:FILE[:NAME], docker-archive:FILE[:TAG], or a path')
    .addOption(new Option('-o, --output <format>', 'SBOM format').choices(['cyclonedx', 'spdx']).default('cyclonedx'))
    .option('--output-file <file>', 'write the SBOM to this file instead of stdout');
  addImageInputOptions(command).action(async (image: string, options: SbomOptions) => {
    const result = await readImage(image, { ...(options.platform ? { platform: options.platform } : {}), ...(options.insecure ? { insecure: true } : {}) });
    const sbom = imageSbom(result, { name: 'aspis', version: env.version }, new Date().toISOString(), randomUUID());
    // Loaded on use: the CycloneDX library (and the ajv it brings) is most of the CLI's start-up (and scan image imports this file).
    const text = options.output === 'spdx' ? (await import('../../outputs/sbom-spdx.js')).spdxSbom(sbom) : (await import('../../outputs/sbom-cyclonedx.js')).cycloneDxSbom(sbom);
    if (options.outputFile) writeFileSync(options.outputFile, text);
    else process.stdout.write(text);
    for (const line of result.problemLines) process.stderr.write(`aspis: ${line}\n`);
    env.setExitCode(result.problemLines.length > 0 ? EXIT.error : EXIT.ok);
  });
}
