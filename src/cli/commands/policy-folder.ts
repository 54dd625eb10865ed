/**
 * Reads policy folders and fixture files for `aspis policy test` and `aspis scan --policies`: every `.yaml`, `.yml`
 * and `.json` file under the given paths (recursively, in name order; hidden entries and node_modules skipped), each
 * object with its file:line and the file's header comments (`# expect: …`). Synchronous, because scan worker threads
 * load the same policies while they start.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import type { InputError } from '../../core/model/report.js';
import type { KubeObject } from '../../core/model/resource.js';
import { parseDocuments } from '../../sources/manifests/parse-documents.js';

export interface LoadedFile {
  /** As shown to the user: relative to the working directory when inside it. */
  path: string;
  objects: KubeObject[];
  /** `# key: value` lines of the file's leading comment block. */
  header: { key: string; value: string }[];
}

export interface LoadedObjects {
  files: LoadedFile[];
  objects: KubeObject[];
  /** `file:line` of an object read here. */
  sourceOf: (object: KubeObject) => string | undefined;
  errors: InputError[];
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

function walk(path: string, out: string[]): void {
  if (!statSync(path).isDirectory()) {
    out.push(path);
    return;
  }
  const names = readdirSync(path).filter((n) => !n.startsWith('.') && n !== 'node_modules').sort();
  for (const name of names) {
    const child = join(path, name);
    if (statSync(child).isDirectory()) walk(child, out);
    else if (EXTENSIONS.has(extname(name))) out.push(child);
  }
}

function headerOf(text: string): LoadedFile['header'] {
  const header: LoadedFile['header'] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const m = /^#\s*([A-Za-z][\w-]*):\s*(.*)$/.exec(line);
    if (m) header.push({ key: m[1]!, value: m[2]!.trim() });
  }
  return header;
}

export function loadObjects(paths: readonly string[], cwd: string = process.cwd()): LoadedObjects {
  const errors: InputError[] = [];
  const sources = new WeakMap<KubeObject, string>();
  const files: LoadedFile[] = [];
  for (const input of paths) {
    const absolute = resolve(cwd, input);
    const found: string[] = [];
    try {
      walk(absolute, found);
    } catch (e) {
      errors.push({ source: input, message: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String((e as Error).message) });
      continue;
    }
    for (const file of found) {
      const shown = relative(cwd, file).startsWith('..') ? file : relative(cwd, file) || file;
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        errors.push({ source: shown, message: String((e as Error).message) });
        continue;
      }
      const parsed = parseDocuments(text);
      for (const error of parsed.errors) {
        const entry: InputError = { source: shown, message: error.message };
        if (error.line !== undefined) entry.line = error.line;
        if (error.column !== undefined) entry.column = error.column;
        errors.push(entry);
      }
      const objects = parsed.documents.map((d) => d.object);
      parsed.documents.forEach((d) => {
        const line = d.locator?.locate([])?.line;
        sources.set(d.object, line ? `${shown}:${line}` : shown);
      });
      files.push({ path: shown, objects, header: headerOf(text) });
    }
  }
  return { files, objects: files.flatMap((f) => f.objects), sourceOf: (object) => sources.get(object), errors };
}
