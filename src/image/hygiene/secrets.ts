import type { ImageFile } from '../catalogers/cataloger.js';
import type { HygieneFinding } from './hygiene-finding.js';
import { SECRET_RULES } from './secret-rules.js';

/** Largest file read for secrets: key and configuration files are small; bigger files are data or binaries. */
export const MAX_SECRET_SCAN_BYTES = 1024 * 1024;

/** Folders of documentation, locale data and package databases: text with no secrets, read for nothing. */
const SKIPPED_PREFIXES = [
  '/usr/share/doc/', '/usr/share/man/', '/usr/share/info/', '/usr/share/locale/', '/usr/share/i18n/', '/usr/lib/locale/',
  '/usr/share/zoneinfo/', '/usr/share/mime/', '/usr/share/icons/', '/usr/include/', '/var/lib/dpkg/', '/var/lib/apt/lists/',
  '/var/cache/', '/lib/apk/db/', '/etc/ssl/certs/', '/usr/share/ca-certificates/', '/proc/', '/sys/',
];
/** Test and example keys that libraries ship inside their packages (known public values, not this image's secrets). */
const LIBRARY_TEST_DATA = /\/(?:site-packages|dist-packages|node_modules|gems|vendor|go\/pkg\/mod)\/.*\/(?:tests?|testdata|test-fixtures|fixtures|examples?|spec)\//;
const BINARY_EXTENSIONS = /\.(?:so(?:\.\d+)*|a|o|pyc|class|png|jpe?g|gif|ico|webp|woff2?|ttf|otf|gz|bz2|xz|zst|zip|jar|war|whl|mo|db|sqlite)$/i;

/** Whether a layer entry is worth reading for secrets: a small regular file outside documentation and test data. */
export function wantsSecretScan(file: Pick<ImageFile, 'path' | 'mode' | 'size'>, maxBytes = MAX_SECRET_SCAN_BYTES): boolean {
  if ((file.mode & 0o170000) !== 0o100000 || file.size === 0 || file.size > maxBytes) return false;
  if (SKIPPED_PREFIXES.some((p) => file.path.startsWith(p))) return false;
  return !BINARY_EXTENSIONS.test(file.path) && !LIBRARY_TEST_DATA.test(file.path);
}

/** Bytes at the start of a file that tell text from binary: a NUL among them means binary (as git and grep judge). */
export const BINARY_SNIFF_BYTES = 8192;

/** Whether a file whose first bytes are `head` is binary, hence not searched for secrets. */
export function looksBinary(head: Uint8Array): boolean {
  return head.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/**
 * Secrets in one layer file (any layer: a key added then deleted by a later layer is still in the image).
 * Reports layer, path, line and the kind of secret, never the secret: evidence carries the rule id, line,
 * column and length only. Files with a NUL byte in their first 8 KiB are binary and skipped.
 */
export function scanForSecrets(file: Pick<ImageFile, 'path' | 'layerDigest'>, content: Uint8Array): HygieneFinding[] {
  if (looksBinary(content)) return [];
  const text = new TextDecoder('utf-8', { fatal: false }).decode(content);
  // Line starts are found only once a rule matches: most files have no match.
  let lineStarts: number[] | undefined;
  const lineOf = (index: number): number => {
    if (!lineStarts) {
      lineStarts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
    }
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const findings: HygieneFinding[] = [];
  const seen = new Set<string>();
  for (const rule of SECRET_RULES) {
    for (const match of text.matchAll(rule.pattern)) {
      const value = match[1] ?? match[0];
      const index = match.index! + match[0].indexOf(value);
      if (rule.accept && !rule.accept(value, text.slice(index, index + 4096))) continue;
      const line = lineOf(index);
      // One finding per line: a GCP key file's private_key is one secret, not also a PEM key.
      const key = `${line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({
        kind: 'secret-in-layer',
        message: `${rule.description} in ${file.path} line ${line + 1}`,
        layerDigest: file.layerDigest,
        path: file.path,
        evidence: { rule: rule.id, line: line + 1, column: index - lineStarts![line]! + 1, length: value.length },
      });
    }
  }
  return findings.sort((a, b) => Number(a.evidence!['line']) - Number(b.evidence!['line']));
}
