/**
 * One image, however it is spelled: `nginx:1.27` and `docker.io/library/nginx:1.27` are the same image, so the
 * inventory lists them once, normalised as the container runtimes resolve them, with the spellings found.
 */
import { isPinningDigest, parseImageReference } from '../checks/workload/image-reference.js';
import type { ImagePinning } from './inventory.js';

export interface ImageIdentity {
  /** Normalised reference, or the text as written when it does not parse. */
  image: string;
  registry?: string;
  repository?: string;
  tag?: string;
  digest?: string;
  pinning: ImagePinning;
}

export function imageIdentity(written: string): ImageIdentity {
  const ref = parseImageReference(written);
  if (!ref) return { image: written, pinning: 'invalid' };
  const image = `${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
  // A digest of a registered algorithm with the wrong length pins nothing: the runtime cannot pull it.
  const pinning: ImagePinning =
    ref.digest !== undefined ? (isPinningDigest(ref.digest) ? 'digest' : 'invalid') : ref.tag !== undefined ? 'tag' : 'untagged';
  return {
    image,
    registry: ref.domain,
    repository: ref.path,
    ...(ref.tag !== undefined ? { tag: ref.tag } : {}),
    ...(ref.digest !== undefined ? { digest: ref.digest } : {}),
    pinning,
  };
}
