/**
 * Content digests (OCI image-spec "algorithm:encoded"). Blobs are verified while they stream: the hash is fed every
 * chunk, and the stream fails at its end when the digest or the size differs from the descriptor's, so nothing read
 * from a tampered blob is ever reported as the image's content.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

const ALGORITHMS: Readonly<Record<string, { node: string; hexLength: number }>> = {
  sha256: { node: 'sha256', hexLength: 64 },
  sha512: { node: 'sha512', hexLength: 128 },
};

export interface ParsedDigest {
  readonly algorithm: string;
  readonly hex: string;
}

export function parseDigest(digest: string, what = 'digest'): ParsedDigest {
  const colon = digest.indexOf(':');
  const algorithm = colon > 0 ? digest.slice(0, colon) : '';
  const hex = digest.slice(colon + 1);
  const known = ALGORITHMS[algorithm];
  if (!known) throw new Error(`${what} "${digest}": unsupported digest algorithm "${algorithm}" (supported: sha256, sha512)`);
  if (hex.length !== known.hexLength || !/^[0-9a-f]+$/.test(hex)) {
    throw new Error(`${what} "${digest}": expected ${known.hexLength} lower-case hex digits after "${algorithm}:"`);
  }
  return { algorithm, hex };
}

export function digestOf(bytes: Uint8Array, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(ALGORITHMS[algorithm]!.node).update(bytes).digest('hex')}`;
}

/** Throws unless `bytes` has this digest (and size, when given). */
export function verifyBytes(bytes: Uint8Array, expected: string, what: string, expectedSize?: number): void {
  const { algorithm } = parseDigest(expected, what);
  if (expectedSize !== undefined && bytes.length !== expectedSize) {
    throw new Error(`${what}: size ${bytes.length} differs from the descriptor's ${expectedSize}`);
  }
  const actual = digestOf(bytes, algorithm);
  if (actual !== expected) throw new Error(`${what}: digest mismatch: content is ${actual}, expected ${expected}`);
}

/** A pass-through stream that fails at its end if the bytes do not hash to `expected` (or have another size). */
export class DigestVerifier extends Transform {
  private readonly hash: Hash;
  private bytes = 0;

  constructor(
    private readonly expected: string,
    private readonly what: string,
    private readonly expectedSize?: number,
  ) {
    super();
    this.hash = createHash(ALGORITHMS[parseDigest(expected, what).algorithm]!.node);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.expectedSize !== undefined && this.bytes > this.expectedSize) {
      callback(new Error(`${this.what}: more than the descriptor's ${this.expectedSize} bytes`));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.expectedSize !== undefined && this.bytes !== this.expectedSize) {
      callback(new Error(`${this.what}: truncated: ${this.bytes} bytes, the descriptor says ${this.expectedSize}`));
      return;
    }
    const actual = `${this.expected.slice(0, this.expected.indexOf(':'))}:${this.hash.digest('hex')}`;
    callback(actual === this.expected ? null : new Error(`${this.what}: digest mismatch: content is ${actual}, expected ${this.expected}`));
  }
}
