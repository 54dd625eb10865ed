/**
 * The layer inspector of an image scan: sees every regular file of every layer (hidden ones too, so a key added in
 * one layer and deleted in the next is still found) and keeps only facts — where each secret is (layer, path, line,
 * rule), never its value — plus the final /etc/passwd, which the User check needs. Each file's bytes are dropped
 * once scanned, so memory holds the facts, not the files.
 */
import type { LayerInspector } from '../layer-walk.js';
import type { ImageFile } from '../catalogers/cataloger.js';
import { BINARY_SNIFF_BYTES, looksBinary, scanForSecrets, wantsSecretScan, MAX_SECRET_SCAN_BYTES } from './secrets.js';
import { SECRET_RULES } from './secret-rules.js';

/** A secret found in a layer file. `inFinalFilesystem` is false when a later layer deleted or replaced the file. */
export interface SecretFact {
  readonly rule: string;
  readonly description: string;
  readonly layerDigest: string;
  readonly path: string;
  readonly line: number;
  readonly column: number;
  /** Length of the secret in characters (to tell a key from a stub without printing either). */
  readonly length: number;
  readonly inFinalFilesystem: boolean;
}

/** More detections than this in one image are counted, not listed (a corpus of keys is one problem, not 10,000). */
export const MAX_SECRET_FACTS = 1000;

const PASSWD = '/etc/passwd';
const MAX_PASSWD_BYTES = 1024 ** 2;
const descriptions = new Map(SECRET_RULES.map((rule) => [rule.id, rule.description]));

export class ImageFactsInspector implements LayerInspector {
  readonly maxBytes = Math.max(MAX_SECRET_SCAN_BYTES, MAX_PASSWD_BYTES);
  readonly secrets: SecretFact[] = [];
  /** Detections beyond MAX_SECRET_FACTS, not listed. */
  secretsNotListed = 0;
  filesScanned = 0;
  bytesScanned = 0;
  /** The final /etc/passwd (the top-most visible copy), when it is a regular file. */
  passwd: string | undefined;

  /** Files `wants` was asked about while hidden by an upper layer (the walker hands `inspect` the same object). */
  private readonly hidden = new WeakSet<ImageFile>();

  wants(file: ImageFile, visible: boolean): boolean {
    const wanted = (visible && file.path === PASSWD) || wantsSecretScan(file);
    if (wanted && !visible) this.hidden.add(file);
    return wanted;
  }

  readonly headBytes = BINARY_SNIFF_BYTES;

  /** A binary (NUL in its head) has no secrets to find: counted as scanned, its rest never buffered. */
  wantsRest(file: ImageFile, head: Uint8Array): boolean {
    if (file.path === PASSWD && !this.hidden.has(file) && this.passwd === undefined) return true;
    if (!looksBinary(head)) return true;
    if (wantsSecretScan(file)) {
      this.filesScanned++;
      this.bytesScanned += file.size;
    }
    return false;
  }

  inspect(file: ImageFile, bytes: Uint8Array): void {
    const visible = !this.hidden.has(file);
    if (file.path === PASSWD && visible && this.passwd === undefined && bytes.length <= MAX_PASSWD_BYTES) {
      this.passwd = new TextDecoder().decode(bytes);
    }
    if (!wantsSecretScan(file)) return;
    this.filesScanned++;
    this.bytesScanned += bytes.length;
    for (const found of scanForSecrets(file, bytes)) {
      if (this.secrets.length >= MAX_SECRET_FACTS) {
        this.secretsNotListed++;
        continue;
      }
      const rule = String(found.evidence!['rule']);
      this.secrets.push({
        rule,
        description: descriptions.get(rule) ?? rule,
        layerDigest: file.layerDigest,
        path: file.path,
        line: Number(found.evidence!['line']),
        column: Number(found.evidence!['column']),
        length: Number(found.evidence!['length']),
        inFinalFilesystem: visible,
      });
    }
  }
}
