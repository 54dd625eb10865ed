/** The list of generated files and how each is produced: read by `npm run generate` and by the staleness test. */
import { CHECK_INDEX_PATH, renderCheckIndex } from './generate-check-index.js';
import { CHECKS_DOCS_PATH, renderChecksDocs } from './generate-checks-docs.js';
import { CLI_DOCS_PATH, renderCliDocs } from './generate-cli-docs.js';
import { CONFIG_SCHEMA_PATH, renderConfigSchema } from './generate-config-schema.js';
import { FLOW_SCHEMA_PATH, renderFlowSchema } from './generate-flow-schema.js';
import { CLUSTER_IMAGES_SCHEMA_PATH, IMAGE_SCAN_SCHEMA_PATH, renderClusterImagesSchema, renderImageScanSchema } from './generate-image-scan-schemas.js';
import { INVENTORY_SCHEMA_PATH, renderInventorySchema } from './generate-inventory-schema.js';
import { REPORT_SCHEMA_PATH, renderReportSchema } from './generate-report-schema.js';

export interface GeneratedFile {
  path: string;
  render(): string | Promise<string>;
}

export const GENERATED_FILES: GeneratedFile[] = [
  { path: CHECK_INDEX_PATH, render: renderCheckIndex },
  { path: CLI_DOCS_PATH, render: renderCliDocs },
  { path: CONFIG_SCHEMA_PATH, render: renderConfigSchema },
  { path: REPORT_SCHEMA_PATH, render: renderReportSchema },
  { path: INVENTORY_SCHEMA_PATH, render: renderInventorySchema },
  { path: FLOW_SCHEMA_PATH, render: renderFlowSchema },
  { path: IMAGE_SCAN_SCHEMA_PATH, render: renderImageScanSchema },
  { path: CLUSTER_IMAGES_SCHEMA_PATH, render: renderClusterImagesSchema },
  { path: CHECKS_DOCS_PATH, render: () => renderChecksDocs() },
];
