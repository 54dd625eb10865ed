/**
 * Image references as Docker and OCI distribution spell them: `[registry[:port]/]repository[:tag][@digest]`.
 * A first component with a dot, a colon or equal to `localhost` is a registry; otherwise the registry is Docker Hub
 * and one-component names live under `library/`.
 */
export interface ImageReference {
  /** Host[:port] as written ("docker.io" when none was). */
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
  /** What the user wrote, for messages. */
  readonly original: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
export const DOCKER_HUB = 'docker.io';

export function parseImageReference(text: string): ImageReference {
  const fail = (why: string): never => {
    throw new Error(`invalid image reference "${text}": ${why}`);
  };
  let rest = text.trim();
  if (rest === '') fail('empty');
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) fail(`digest "${digest}" is not algorithm:hex`);
  }
  let registry = DOCKER_HUB;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) fail(`tag "${tag}" is not valid`);
  }
  if (rest === '') fail('no repository');
  for (const component of rest.split('/')) {
    if (!COMPONENT.test(component)) fail(`repository component "${component}" must be lower-case letters, digits and separators`);
  }
  const repository = registry === DOCKER_HUB && !rest.includes('/') ? `library/${rest}` : rest;
  return {
    registry,
    repository,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
    original: text,
  };
}

/** The tag or digest to ask the registry for: the digest when given, else the tag, else "latest". */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** Canonical text: registry/repository[:tag][@digest]. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The host to connect to (Docker Hub's API lives on another host than its name). */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
}

/** True for registries on this machine's loopback, the only ones `--insecure` (plain HTTP) may reach. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.replace(/:\d+$/, '');
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
