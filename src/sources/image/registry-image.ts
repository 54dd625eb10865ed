/** Images pulled from a registry: the manifest (or index → platform manifest), config and layer blobs, streamed. */
import { formatImageReference, manifestReference, type ImageReference } from '../../image/image-reference.js';
import type { Platform } from '../../image/platform.js';
import type { OpenedImage } from './opened-image.js';
import { RegistryClient, type RegistryClientOptions } from './registry-client.js';
import { resolveOciImage } from './resolve-oci-image.js';

export async function openRegistryImage(
  reference: ImageReference,
  options: RegistryClientOptions & { platform: Platform; platformChosen: boolean },
): Promise<OpenedImage> {
  const client = new RegistryClient(reference.registry, reference.repository, options);
  const start = await client.manifest(manifestReference(reference));
  return resolveOciImage(
    {
      what: client.what,
      readDocument: (digest, size) => client.blob(digest, size),
      readManifest: async (digest, size) => {
        const { bytes } = await client.manifest(digest);
        if (size !== undefined && bytes.length !== size) throw new Error(`${client.what}: manifest ${digest}: ${bytes.length} bytes, the index says ${size}`);
        return bytes;
      },
      openBlob: (digest) => client.openBlob(digest),
    },
    start,
    {
      name: formatImageReference(reference),
      transport: 'registry',
      platform: options.platform,
      platformChosen: options.platformChosen,
      tags: reference.tag !== undefined ? [reference.tag] : [],
      close: async () => {},
    },
  );
}
