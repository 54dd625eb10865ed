/**
 * What `aspis sbom IMAGE` / `aspis scan image IMAGE` accept, told apart the way skopeo's transports are:
 *   oci:PATH[:NAME]             an OCI image layout folder (NAME = org.opencontainers.image.ref.name)
 *   oci-archive:PATH[:NAME]     an OCI layout in a tar file
 *   docker-archive:PATH[:TAG]   `docker save` / `podman save` output
 *   registry:REF, docker://REF  a registry
 * Without a prefix, an existing folder is an OCI layout, an existing file an archive (OCI or docker, by content),
 * anything else a registry reference.
 */
import { stat } from 'node:fs/promises';
import { parseImageReference } from '../../image/image-reference.js';
import { ociArchitecture, parsePlatform, type Platform } from '../../image/platform.js';
import { isDockerArchive, openDockerArchive } from './docker-archive.js';
import { isOciArchive, openOciArchive } from './oci-archive.js';
import { openOciLayout } from './oci-layout.js';
import type { OpenedImage } from './opened-image.js';
import { registryCredentials } from './registry-credentials.js';
import { openRegistryImage } from './registry-image.js';
import { TarArchiveIndex } from './tar-archive-index.js';

export interface OpenImageOptions {
  /** os/arch[/variant]; default linux/<this machine's architecture>. */
  readonly platform?: string;
  /** Plain HTTP to a loopback registry. */
  readonly insecure?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

const TRANSPORTS = ['oci', 'oci-archive', 'docker-archive', 'registry', 'docker'] as const;

export async function openImage(input: string, options: OpenImageOptions = {}): Promise<OpenedImage> {
  const platformChosen = options.platform !== undefined;
  const platform: Platform = options.platform ? parsePlatform(options.platform) : { os: 'linux', architecture: ociArchitecture(process.arch) };
  const common = { name: input, platform, platformChosen };
  const prefix = TRANSPORTS.find((t) => input.startsWith(`${t}:`));
  if (prefix === 'registry' || prefix === 'docker') {
    return fromRegistry(input.slice(prefix.length + 1).replace(/^\/\//, ''), options, platform, platformChosen);
  }
  if (prefix) {
    const { path, name } = await splitPathAndName(input.slice(prefix.length + 1));
    const selection = name !== undefined ? { tag: name } : {};
    if (prefix === 'oci') return openOciLayout(path, selection, { ...common, transport: 'oci-layout' });
    const archive = await TarArchiveIndex.open(path);
    if (prefix === 'oci-archive') return openOciArchive(archive, selection, common);
    return openDockerArchive(archive, selection, common);
  }
  const { path, name } = await splitPathAndName(input);
  const kind = await pathKind(path);
  if (kind === 'directory') return openOciLayout(path, name !== undefined ? { tag: name } : {}, { ...common, transport: 'oci-layout' });
  if (kind === 'file') {
    const archive = await TarArchiveIndex.open(path);
    const selection = name !== undefined ? { tag: name } : {};
    if (isDockerArchive(archive)) return openDockerArchive(archive, selection, common);
    if (isOciArchive(archive)) return openOciArchive(archive, selection, common);
    throw new Error(`${path}: neither a docker-save archive (manifest.json) nor an OCI archive (oci-layout, index.json)`);
  }
  return fromRegistry(input, options, platform, platformChosen);
}

function fromRegistry(text: string, options: OpenImageOptions, platform: Platform, platformChosen: boolean): Promise<OpenedImage> {
  const reference = parseImageReference(text);
  const credentials = registryCredentials(reference.registry, options.env);
  return openRegistryImage(reference, {
    platform,
    platformChosen,
    ...(options.insecure ? { insecure: true } : {}),
    ...(credentials ? { credentials } : {}),
  });
}

/** PATH or PATH:NAME, where PATH itself exists (so paths with colons, and names with colons like repo:tag, work). */
async function splitPathAndName(text: string): Promise<{ path: string; name?: string }> {
  if ((await pathKind(text)) !== undefined) return { path: text };
  for (let colon = text.indexOf(':'); colon > 0; colon = text.indexOf(':', colon + 1)) {
    if ((await pathKind(text.slice(0, colon))) !== undefined) return { path: text.slice(0, colon), name: text.slice(colon + 1) };
  }
  return { path: text };
}

async function pathKind(path: string): Promise<'directory' | 'file' | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'directory' : 'file';
  } catch {
    return undefined;
  }
}
