import jsyaml from 'js-yaml';
import type { KubeObject } from '../../core/model/resource.js';

export interface ParsedDocument {
  object: KubeObject;
  documentIndex: number;
}

export interface ParseError {
  documentIndex?: number;
  line?: number;
  column?: number;
  message: string;
}

/** Splits a YAML/JSON text into documents. Minimal first version; the manifests source refines it. */
export function parseDocuments(text: string): { documents: ParsedDocument[]; errors: ParseError[] } {
  const documents: ParsedDocument[] = [];
  const errors: ParseError[] = [];
  try {
    jsyaml.loadAll(text, undefined, { schema: jsyaml.CORE_SCHEMA }).forEach((value, documentIndex) => {
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        documents.push({ object: value as KubeObject, documentIndex });
      }
    });
  } catch (error) {
    const mark = (error as { mark?: { line: number; column: number } }).mark;
    errors.push({ message: (error as Error).message, line: mark ? mark.line + 1 : undefined, column: mark ? mark.column + 1 : undefined });
  }
  return { documents, errors };
}
