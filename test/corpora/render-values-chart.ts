/**
 * Renders a Helm chart whose templates use nothing but `{{ .Values.<path> }}` (Kubernetes Goat's pwnchart), as
 * `helm template` would with the chart's default values: Helm is not installed here, and a chart that needs more
 * (includes, conditions, pipelines) is an error rather than a wrong rendering.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import jsyaml from 'js-yaml';

const VALUE = /\{\{-?\s*\.Values\.([A-Za-z0-9_.]+)\s*-?\}\}/g;

/** The templates' documents joined as one multi-document YAML stream, each after a `# Source:` line like Helm's. */
export function renderValuesChart(chartDir: string): string {
  const values = jsyaml.load(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const templates = readdirSync(join(chartDir, 'templates'))
    .filter((name) => name.endsWith('.yaml'))
    .sort();
  if (templates.length === 0) throw new Error(`${chartDir}: no templates`);
  return templates
    .map((name) => {
      const path = join(chartDir, 'templates', name);
      const rendered = readFileSync(path, 'utf8').replace(VALUE, (_, key: string) => {
        const value = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], values);
        if (value === undefined || (typeof value === 'object' && value !== null)) {
          throw new Error(`${path}: .Values.${key} is not a scalar in values.yaml`);
        }
        return String(value);
      });
      if (rendered.includes('{{')) throw new Error(`${path}: uses template syntax other than {{ .Values.<path> }}`);
      return `---\n# Source: ${basename(chartDir)}/templates/${name}\n${rendered}`;
    })
    .join('\n');
}
