/**
 * Container image references as the container runtimes read them (distribution/reference grammar), normalised the way
 * Docker Hub is: `nginx` is `docker.io/library/nginx`, `index.docker.io/x/y` is `docker.io/x/y`. Shared by the image
 * checks of this category; pure.
 */

export interface ImageReference {
  /** The text as written in the manifest. */
  raw: string;
  /** Registry host (and port), lower-cased; `docker.io` when the reference names none. */
  domain: string;
  /** Repository path inside the registry (`library/nginx`). */
  path: string;
  /** `domain/path`. */
  repository: string;
  tag?: string;
  /** `algorithm:encoded`, as written. */
  digest?: string;
}

export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
/** OCI image-spec digest grammar: algorithm ":" encoded. */
const DIGEST = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;
/** Algorithms registered by the OCI image spec, with the exact form of their encoded part. */
const REGISTERED_DIGESTS: Readonly<Record<string, RegExp>> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
  blake3: /^[a-f0-9]{64}$/,
};

export function normaliseRegistryHost(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}

/**
 * Parsed references by text: a scan meets the same few images on thousands of containers, and several checks parse
 * each. Emptied when full, so memory stays bounded whatever the input.
 */
const parsedReferences = new Map<string, Readonly<ImageReference> | undefined>();
const PARSED_REFERENCES_MAX = 4096;

/**
 * Parses an image reference, or returns undefined when it is not a valid reference. The result is shared between
 * callers (frozen).
 */
export function parseImageReference(raw: string): Readonly<ImageReference> | undefined {
  if (parsedReferences.has(raw)) return parsedReferences.get(raw);
  if (parsedReferences.size >= PARSED_REFERENCES_MAX) parsedReferences.clear();
  const ref = parse(raw);
  parsedReferences.set(raw, ref ? Object.freeze(ref) : undefined);
  return ref;
}

/**
 * The tag of a reference without a digest, read as parseImageReference reads it (after the last ':' that follows the
 * last '/') without validating anything: a check that only cares whether the tag is `latest` needs no parse when it
 * is not. Undefined with a digest ('@') or without a tag.
 */
export function writtenTag(raw: string): string | undefined {
  if (raw.includes('@')) return undefined;
  const colon = raw.lastIndexOf(':');
  return colon > raw.lastIndexOf('/') ? raw.slice(colon + 1) : undefined;
}

function parse(raw: string): ImageReference | undefined {
  if (raw.length === 0 || raw.length > 4096 || /\s/.test(raw)) return undefined;
  let rest = raw;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  let domain = DOCKER_HUB;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    // As the Docker client does: the first component is a registry when it looks like a host name.
    if (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase()) {
      if (!DOMAIN.test(first)) return undefined;
      domain = normaliseRegistryHost(first);
      path = rest.slice(slash + 1);
    }
  }
  const components = path.split('/');
  if (components.some((c) => !PATH_COMPONENT.test(c))) return undefined;
  if (domain === DOCKER_HUB && components.length === 1) path = `library/${path}`;
  const ref: ImageReference = { raw, domain, path, repository: `${domain}/${path}` };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/**
 * True when the digest pins content: OCI syntax, and for registered algorithms (sha256, sha512, blake3) the exact
 * lower-case hex length. An unregistered algorithm cannot be checked further and is accepted as written.
 */
export function isPinningDigest(digest: string | undefined): boolean {
  if (digest === undefined) return false;
  const match = DIGEST.exec(digest);
  if (!match) return false;
  const form = REGISTERED_DIGESTS[match[1]!];
  return form ? form.test(match[2]!) : true;
}

/**
 * Whether an image comes from an allowed registry. Entries are a host (`registry.example.com`, `docker.io`,
 * `localhost:5000`), a `*.` host suffix (`*.dkr.ecr.eu-west-1.amazonaws.com`) or a host/path prefix matched at a
 * path-component boundary (`registry.example.com/team` allows `registry.example.com/team/app`, not `.../team2/app`).
 */
export function registryAllowed(ref: ImageReference, allowed: readonly string[]): boolean {
  return allowed.some((entry) => entryMatches(ref, entry));
}

function entryMatches(ref: ImageReference, rawEntry: string): boolean {
  const entry = rawEntry.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  if (entry === '') return false;
  const slash = entry.indexOf('/');
  const host = slash < 0 ? entry : entry.slice(0, slash);
  const prefix = slash < 0 ? '' : entry.slice(slash + 1);
  if (host.startsWith('*.')) {
    if (!ref.domain.endsWith(host.slice(1).toLowerCase())) return false;
  } else if (normaliseRegistryHost(host) !== ref.domain) {
    return false;
  }
  return prefix === '' || ref.path === prefix || ref.path.startsWith(`${prefix}/`);
}
