/**
 * Validators for what the image scans write, each against its official (or published) schema: CycloneDX 1.6 (the
 * copy bundled with @cyclonedx/cyclonedx-library), SARIF 2.1.0 (OASIS, src/outputs/testdata), and Aspis's own
 * docs/image-scan.schema.json and docs/cluster-images.schema.json.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { REPO_ROOT } from '../../cli/run-cli.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => void;
const json = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

export function cycloneDx16Validator(): ValidateFunction {
  const require = createRequire(import.meta.url);
  const schemaDir = join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res/schema');
  const ajv = new Ajv({ strict: false, allErrors: false });
  addFormats(ajv);
  // draft 2019 formats the 1.6 schema uses that ajv-formats does not define; checked as plain strings.
  ajv.addFormat('iri-reference', true);
  ajv.addFormat('idn-email', true);
  // The bundled copies refer to each other by their SNAPSHOT file names: register them under those.
  for (const name of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json', 'cryptography-defs.SNAPSHOT.schema.json']) {
    const { $id: _id, ...schema } = json(join(schemaDir, name));
    ajv.addSchema(schema, `http://cyclonedx.org/schema/${name}`);
  }
  return ajv.compile(json(join(schemaDir, 'bom-1.6.SNAPSHOT.schema.json')));
}

export function sarifValidator(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(json(join(REPO_ROOT, 'src/outputs/testdata/sarif-schema-2.1.0.json')));
}

export function publishedSchemaValidator(file: 'image-scan.schema.json' | 'cluster-images.schema.json'): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(json(join(REPO_ROOT, 'docs', file)));
}
