/**
 * The manifests source of `aspis scan manifests <files|dirs|->`: reads files, directories (recursively), standard
 * input and Kustomize directories, and returns the Kubernetes objects they contain with where each came from.
 *
 * - Directories: `.yaml`, `.yml` and `.json` files, recursively, in byte order of names; hidden entries and
 *   `node_modules` are skipped. A directory holding a kustomization (`kustomization.yaml`, `kustomization.yml`,
 *   `Kustomization`) is built with `kubectl kustomize` instead of being walked; a Helm chart (`Chart.yaml`) is an
 *   error asking for `helm template`.
 * - Files given explicitly are read whatever their extension (`/dev/stdin`, process substitution…).
 * - `-` reads standard input (`helm template … | aspis scan manifests -`).
 * - `List` and other `*List` kinds with `items` are flattened: each item is its own resource, located inside the list.
 * - Anything unreadable or invalid becomes an InputError naming file:line; the rest is still returned. An input that
 *   yields no object at all is an error.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { InputError } from '../../core/model/report.js';
import { refOf } from '../../core/model/resource.js';
import type { KubeObject, Resource } from '../../core/model/resource.js';
import type { SourceLocator } from '../../core/model/source-location.js';
import { formatFieldPath } from '../../core/model/field-path.js';
import { NestedLocator, SourceText } from './locator.js';
import { describeValue, streamDocuments } from './parse-documents.js';
import { compareText } from '../../core/model/text-order.js';

export interface LoadManifestsOptions {
  /** Stream read for the input `-` (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** Directory relative inputs are resolved against (default: process.cwd()). Paths are reported as given. */
  cwd?: string;
  /** The kubectl executable used for Kustomize directories (default: `kubectl`, looked up on PATH). */
  kubectl?: string;
}

export interface LoadedManifests {
  resources: Resource[];
  errors: InputError[];
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const STDIN = '-';

/** Something to read, in output order: what `manifestItems` lists and `itemBatches` reads (plain data). */
export type ManifestItem =
  | { type: 'file'; path: string; display: string }
  | { type: 'stdin' }
  | { type: 'kustomize'; path: string; display: string }
  | { type: 'error'; error: InputError };

function errnoMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a path component is not a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return (error as Error).message ?? String(error);
  }
}

/** Decodes bytes as UTF-8, or UTF-16 when a byte order mark says so. */
function decode(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  return bytes.toString('utf8');
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return decode(Buffer.concat(chunks));
}

async function runKustomize(kubectl: string, dir: string): Promise<{ stdout: string } | { error: string }> {
  // Loaded here, not by every scan thread (a worker thread loads nothing else of it): few inputs are Kustomize dirs.
  const { execFile } = await import('node:child_process');
  return new Promise((done) => {
    execFile(
      kubectl,
      ['kustomize', dir],
      { maxBuffer: 1024 * 1024 * 1024, timeout: 5 * 60_000, windowsHide: true },
      (error, stdout, stderr) => {
        if (!error) {
          done({ stdout });
          return;
        }
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          done({ error: `kubectl was not found (looked for "${kubectl}" on PATH)` });
          return;
        }
        const detail = (stderr || error.message).trim().split('\n').slice(0, 20).join('\n');
        done({ error: `kubectl kustomize failed: ${detail}` });
      },
    );
  });
}

class Loader {
  resources: Resource[] = [];
  errors: InputError[] = [];
  private readonly cwd: string;
  private readonly kubectl: string;

  constructor(private readonly options: LoadManifestsOptions) {
    this.cwd = options.cwd ?? process.cwd();
    this.kubectl = options.kubectl ?? 'kubectl';
  }

  error(error: InputError): void {
    this.errors.push(error);
  }

  /** Expands the inputs into the ordered list of things to read; reports inputs that match nothing. */
  collect(inputs: string[]): ManifestItem[] {
    const items: ManifestItem[] = [];
    const seen = new Set<string>();
    for (const input of inputs) {
      if (input === STDIN) {
        if (!seen.has(STDIN)) items.push({ type: 'stdin' });
        seen.add(STDIN);
        continue;
      }
      if (input === '') {
        items.push({ type: 'error', error: { source: input, message: 'an empty path names nothing' } });
        continue;
      }
      const path = resolve(this.cwd, input);
      let info;
      try {
        info = statSync(path);
      } catch (error) {
        items.push({ type: 'error', error: { source: input, message: `cannot read ${input}: ${errnoMessage(error)}` } });
        continue;
      }
      if (info.isDirectory()) {
        if (this.walk(path, input, items, seen, new Set()) === 0) {
          const error = { source: input, message: `directory ${input} contains no .yaml, .yml or .json files` };
          items.push({ type: 'error', error });
        }
      } else if (KUSTOMIZATION_FILES.includes(basename(path))) {
        // `aspis scan manifests overlays/prod/kustomization.yaml` means the kustomization, not the file.
        const dir = dirname(input);
        if (!seen.has(dirname(path))) items.push({ type: 'kustomize', path: dirname(path), display: dir });
        seen.add(dirname(path));
      } else {
        if (!seen.has(path)) items.push({ type: 'file', path, display: input });
        seen.add(path);
      }
    }
    return items;
  }

  /**
   * Lists a directory tree; returns how many manifests (files, kustomizations, problems) it holds, seen before or not.
   * Synchronous file system calls on purpose: for 10,000 small files they are an order of
   * magnitude faster than fs/promises (one stat or read costs ~10 µs instead of ~80 µs).
   */
  private walk(dir: string, display: string, items: ManifestItem[], seen: Set<string>, visiting: Set<string>): number {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch (error) {
      items.push({ type: 'error', error: { source: display, message: `cannot read directory ${display}: ${errnoMessage(error)}` } });
      return 1;
    }
    if (visiting.has(real)) return 0; // symbolic link loop
    visiting.add(real);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => compareText(a.name, b.name));
    } catch (error) {
      items.push({ type: 'error', error: { source: display, message: `cannot read directory ${display}: ${errnoMessage(error)}` } });
      return 1;
    }
    const names = entries.map((entry) => entry.name);
    const kustomization = KUSTOMIZATION_FILES.find((name) => names.includes(name));
    if (kustomization) {
      if (!seen.has(dir)) items.push({ type: 'kustomize', path: dir, display });
      seen.add(dir);
      return 1;
    }
    if (names.includes('Chart.yaml')) {
      const message = `${display} is a Helm chart: render it first, e.g. \`helm template ${display} | aspis scan manifests -\``;
      items.push({ type: 'error', error: { source: display, message } });
      return 1;
    }
    let found = 0;
    for (const entry of entries) {
      const name = entry.name;
      if (name.startsWith('.') || name === 'node_modules') continue;
      const path = join(dir, name);
      const shown = join(display, name);
      let info: { isDirectory(): boolean; isFile(): boolean } = entry;
      if (entry.isSymbolicLink()) {
        try {
          info = statSync(path);
        } catch (error) {
          // A dangling symbolic link to a manifest is worth reporting; other entries are not ours.
          if (MANIFEST_EXTENSIONS.has(extname(name).toLowerCase())) {
            items.push({ type: 'error', error: { source: shown, message: `cannot read ${shown}: ${errnoMessage(error)}` } });
            found++;
          }
          continue;
        }
      }
      if (info.isDirectory()) {
        found += this.walk(path, shown, items, seen, visiting);
      } else if (info.isFile() && MANIFEST_EXTENSIONS.has(extname(name).toLowerCase())) {
        if (!seen.has(path)) items.push({ type: 'file', path, display: shown });
        seen.add(path);
        found++;
      }
    }
    visiting.delete(real);
    return found;
  }

  /** What was read since the last call: the loader keeps no reference to it. */
  take(): LoadedManifests {
    const batch = { resources: this.resources, errors: this.errors };
    this.resources = [];
    this.errors = [];
    return batch;
  }

  /** Reads one item and adds its objects in order, yielding whenever some are ready to be taken. */
  async *read(item: ManifestItem): AsyncGenerator<void> {
    if (item.type === 'file') {
      let text: string;
      try {
        text = decode(readFileSync(item.path));
      } catch (error) {
        this.error({ source: item.display, message: `cannot read ${item.display}: ${errnoMessage(error)}` });
        return;
      }
      yield* this.addText(text, item.display, true);
    } else if (item.type === 'stdin') {
      yield* this.readStdin();
    } else if (item.type === 'error') {
      this.error(item.error);
    } else {
      yield* this.kustomize(item.path, item.display);
    }
  }

  private async *readStdin(): AsyncGenerator<void> {
    const stream = this.options.stdin ?? process.stdin;
    if (stream === process.stdin && process.stdin.isTTY) {
      this.error({ source: STDIN, message: '`-` reads manifests from standard input, but standard input is a terminal' });
      return;
    }
    let text: string;
    try {
      text = await readStream(stream);
    } catch (error) {
      this.error({ source: STDIN, message: `cannot read standard input: ${(error as Error).message}` });
      return;
    }
    yield* this.addText(text, STDIN, true);
  }

  private async *kustomize(dir: string, display: string): AsyncGenerator<void> {
    const result = await runKustomize(this.kubectl, dir);
    if ('error' in result) {
      this.error({
        source: display,
        message:
          `${display} is a Kustomize directory and could not be built: ${result.error}. ` +
          `Install kubectl, or build it yourself: \`kustomize build ${display} | aspis scan manifests -\``,
      });
      return;
    }
    // Positions in generated output would point into a file nobody can open: no locator for kustomize objects.
    yield* this.addText(result.stdout, `${display} (kustomize)`, false);
  }

  /**
   * Adds the objects of one input text, one document at a time (it yields after each, so the caller can scan and
   * release them before the next is parsed); reports its problems; an input without any object is an error.
   */
  *addText(text: string, file: string, locate: boolean): Generator<void> {
    let objects = 0;
    let problems = 0;
    for (const item of streamDocuments(new SourceText(text))) {
      if (item.error) {
        const { documentIndex: _index, kept: _kept, line, column, message } = item.error;
        this.error({ source: file, ...(line !== undefined ? { line, column } : {}), message });
        problems++;
        continue;
      }
      const document = item.document;
      const report = (error: InputError): void => {
        this.error(error);
        problems++;
      };
      const value = document.value;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        const json = Array.isArray(value) && text.trimStart().startsWith('[');
        report({
          source: file,
          ...document.locator.locate([]),
          message: json
            ? 'a top-level JSON array is not a Kubernetes object; wrap the objects in {"apiVersion": "v1", "kind": "List", "items": [...]}'
            : `document ${document.documentIndex + 1} is not a mapping (found ${describeValue(value)})`,
        });
        continue;
      }
      const before = this.resources.length;
      this.addObject(value as KubeObject, file, document.documentIndex, document.locator, [], report, locate);
      objects += this.resources.length - before;
      yield;
    }
    if (objects === 0 && problems === 0) {
      this.error({ source: file, message: `${file === STDIN ? 'standard input' : file} contains no Kubernetes objects` });
    }
  }

  private addObject(
    object: KubeObject,
    file: string,
    documentIndex: number,
    documentLocator: SourceLocator,
    prefix: (string | number)[],
    report: (error: InputError) => void,
    locate: boolean,
  ): void {
    const locator = prefix.length > 0 ? new NestedLocator(documentLocator, prefix) : documentLocator;
    const kind = object.kind;
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(object.items)) {
      // client-go fills in the kind and apiVersion of typed list items (a PodList from the API omits them).
      const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
      object.items.forEach((item: unknown, index: number) => {
        const path = [...prefix, 'items', index];
        if (item === null || typeof item !== 'object' || Array.isArray(item)) {
          report({
            source: file,
            ...documentLocator.locate(path),
            field: formatFieldPath(path),
            message: `${kind} item ${index} is not a mapping (found ${describeValue(item)})`,
          });
          return;
        }
        const child = item as KubeObject;
        if (itemKind && child.kind === undefined && child.apiVersion === undefined) {
          child.kind = itemKind;
          child.apiVersion = object.apiVersion;
        }
        this.addObject(child, file, documentIndex, documentLocator, path, report, locate);
      });
      return;
    }
    const problem = invalidObject(object);
    if (problem) {
      report({
        source: file,
        ...locator.locate(problem.path),
        field: formatFieldPath([...prefix, ...problem.path]),
        message: problem.message,
      });
      return;
    }
    this.resources.push({
      object,
      ref: refOf(object),
      origin: locate ? { type: 'file', file, documentIndex, locator } : { type: 'file', file, documentIndex },
    });
  }
}

/** What makes a mapping not a Kubernetes object, with the path of the first offending field. */
function invalidObject(object: KubeObject): { path: string[]; message: string } | undefined {
  const missing: string[] = [];
  let first: { path: string[]; message: string } | undefined;
  const problem = (path: string[], message: string): void => {
    first ??= { path, message };
  };
  for (const field of ['apiVersion', 'kind'] as const) {
    const value = object[field];
    if (value === undefined || value === null) missing.push(field);
    else if (typeof value !== 'string' || value === '') problem([field], `${field} must be a non-empty string`);
  }
  const metadata = object.metadata as unknown;
  if (metadata === undefined || metadata === null) {
    missing.push('metadata.name');
  } else if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    problem(['metadata'], 'metadata must be a mapping');
  } else {
    const { name, generateName } = metadata as Record<string, unknown>;
    if ((name === undefined || name === null) && (typeof generateName !== 'string' || generateName === '')) {
      missing.push('metadata.name');
    } else if (name !== undefined && name !== null && (typeof name !== 'string' || name === '')) {
      problem(['metadata', 'name'], 'metadata.name must be a non-empty string');
    }
  }
  if (missing.length > 0) {
    const what = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(', ')} and ${missing[missing.length - 1]}`;
    return { path: missing[0]!.split('.'), message: `not a Kubernetes object: missing ${what}` };
  }
  return first;
}

/**
 * What the inputs name, in output order: files, standard input, Kustomize directories, and inputs that name nothing
 * readable (as items of type `error`). Read each with `itemBatches`, here or in a worker thread.
 */
export function manifestItems(inputs: string[], options: LoadManifestsOptions = {}): ManifestItem[] {
  if (inputs.length === 0) return [{ type: 'error', error: { source: '', message: 'no input: give files, directories, or - for standard input' } }];
  return new Loader(options).collect(inputs);
}

/** The objects of one item, one batch per document (see manifestBatches). */
export async function* itemBatches(item: ManifestItem, options: LoadManifestsOptions = {}): AsyncGenerator<LoadedManifests> {
  const loader = new Loader(options);
  for await (const _ of loader.read(item)) yield loader.take();
  const rest = loader.take();
  if (rest.resources.length > 0 || rest.errors.length > 0) yield rest;
}

/**
 * The objects of the inputs one batch at a time (a document of a file, of standard input or of a Kustomize build, or
 * an input error), in output order, so a scan holds one text and one document's objects at a time (architecture
 * rule 7). Never throws for bad input: every problem is in a batch's `errors` (file, line, column, field) and
 * everything else is still yielded.
 */
export async function* manifestBatches(inputs: string[], options: LoadManifestsOptions = {}): AsyncGenerator<LoadedManifests> {
  for (const item of manifestItems(inputs, options)) yield* itemBatches(item, options);
}

/**
 * Loads Kubernetes objects from files, directories, Kustomize directories and `-` (standard input). Never throws for
 * bad input: every problem is in `errors` (file, line, column, field) and everything else is still returned.
 */
export async function loadManifests(inputs: string[], options: LoadManifestsOptions = {}): Promise<LoadedManifests> {
  const resources: Resource[] = [];
  const errors: InputError[] = [];
  for await (const batch of manifestBatches(inputs, options)) {
    for (const resource of batch.resources) resources.push(resource);
    for (const error of batch.errors) errors.push(error);
  }
  return { resources, errors };
}
