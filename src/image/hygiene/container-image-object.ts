/**
 * The facts an image scan collects, as one Kubernetes-style object (`aspis.io/v1alpha1` ContainerImage) so that image
 * checks are ordinary object checks of the check library: same ids, severities, `.aspis.yaml` selection, severity
 * overrides and exceptions (kind ContainerImage, name = the image as the user named it), same finding paths
 * (`status.secrets[0]`). Pure: the facts (files, config, secrets, scan date) come in, the object goes out.
 * docs/images.md ("Image checks") documents every field; src/checks/image/container-image.ts reads them.
 */
import type { KubeObject } from '../../core/model/resource.js';
import type { ImageFile } from '../catalogers/cataloger.js';
import type { OsRelease } from '../catalogers/os-release.js';
import type { ImageConfig } from '../image-documents.js';
import { parseImageReference } from '../image-reference.js';
import type { SecretFact } from './image-facts-inspector.js';
import { END_OF_LIFE_TABLE_DATE, endOfLifeEntry } from './os-end-of-life.js';
import { configUserUid } from './runs-as-root.js';
import { setuidFileFacts } from './setuid-files.js';
import { shellAndPackageManagerFacts } from './shells-and-package-managers.js';

export const CONTAINER_IMAGE_API_VERSION = 'aspis.io/v1alpha1';
export const CONTAINER_IMAGE_KIND = 'ContainerImage';

/** OCI's annotation keys (image-spec annotations.md) for the image an image was built FROM. */
export const BASE_NAME_KEY = 'org.opencontainers.image.base.name';
export const BASE_DIGEST_KEY = 'org.opencontainers.image.base.digest';

export interface ContainerImageFacts {
  /** What the user named (reference or path): the object's name, which exceptions select. */
  readonly name: string;
  readonly transport: 'registry' | 'oci-layout' | 'oci-archive' | 'docker-archive';
  /** Tags the source names the image by (registry tag, OCI ref.name, docker RepoTags). */
  readonly tags: readonly string[];
  readonly manifestDigest?: string;
  readonly manifestAnnotations?: Readonly<Record<string, string>>;
  readonly configDigest: string;
  readonly config: ImageConfig;
  readonly os?: OsRelease;
  /** Every entry of the final filesystem (header only); called once per fact that needs them. */
  readonly files: () => Iterable<ImageFile>;
  readonly secrets: readonly SecretFact[];
  readonly secretsNotListed: number;
  readonly secretScan: { readonly files: number; readonly bytes: number };
  /** The final /etc/passwd, when the image has one. */
  readonly passwd?: string;
  /** The day of the scan (YYYY-MM-DD): end of life is judged against it (checks do not read the clock). */
  readonly scannedOn: string;
}

/** The tag part of a source tag: "12", "aspis/debian:12" → "12"; a name without a tag means latest. */
function tagOf(sourceTag: string): string {
  const colon = sourceTag.lastIndexOf(':');
  if (colon > sourceTag.lastIndexOf('/')) return sourceTag.slice(colon + 1);
  return sourceTag.includes('/') ? 'latest' : sourceTag;
}

function parsedReference(name: string): ReturnType<typeof parseImageReference> | undefined {
  try {
    return parseImageReference(name);
  } catch {
    return undefined;
  }
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const entries = Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string');
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** Where the image declares its base: manifest annotations (OCI), else config labels (some builders put them there). */
function baseImageOf(annotations: Record<string, string> | undefined, labels: Record<string, string> | undefined): Record<string, string> | undefined {
  for (const [declaredIn, map] of [['manifest annotations', annotations], ['config labels', labels]] as const) {
    const name = map?.[BASE_NAME_KEY];
    const digest = map?.[BASE_DIGEST_KEY];
    if (name === undefined && digest === undefined) continue;
    return { ...(name !== undefined ? { name } : {}), ...(digest !== undefined ? { digest } : {}), declaredIn };
  }
  return undefined;
}

export function containerImageObject(facts: ContainerImageFacts): KubeObject {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(facts.scannedOn)) throw new Error(`scannedOn must be YYYY-MM-DD, got ${JSON.stringify(facts.scannedOn)}`);
  const labels = stringMap(facts.config.config?.Labels);
  const annotations = stringMap(facts.manifestAnnotations);
  let reference: Record<string, string> | undefined;
  // The registry source names images by their canonical reference, which parses; anything else is left unjudged.
  const parsed = facts.transport === 'registry' ? parsedReference(facts.name) : undefined;
  if (parsed) {
    reference = {
      registry: parsed.registry,
      repository: parsed.repository,
      ...(parsed.tag !== undefined ? { tag: parsed.tag } : {}),
      ...(parsed.digest !== undefined ? { digest: parsed.digest } : {}),
    };
  }
  const user = facts.config.config?.User;
  const uid = configUserUid(user, facts.passwd);
  const os = facts.os;
  const eol = os ? endOfLifeEntry(os) : undefined;
  const { shells, packageManagers } = shellAndPackageManagerFacts(facts.files());
  const baseImage = baseImageOf(annotations, labels);
  const platform = facts.config.os || facts.config.architecture
    ? { ...(facts.config.os ? { os: facts.config.os } : {}), ...(facts.config.architecture ? { architecture: facts.config.architecture } : {}) }
    : undefined;
  return {
    apiVersion: CONTAINER_IMAGE_API_VERSION,
    kind: CONTAINER_IMAGE_KIND,
    // Config labels become object labels (exceptions can select on them); annotations are left out on purpose: an
    // image author must not be able to waive findings with `waiver.aspis.dev/…` keys baked into the image.
    metadata: { name: facts.name, ...(labels ? { labels } : {}) },
    spec: {
      transport: facts.transport,
      ...(reference ? { reference } : {}),
      tags: facts.tags.map(tagOf),
    },
    status: {
      scannedOn: facts.scannedOn,
      ...(facts.manifestDigest ? { manifestDigest: facts.manifestDigest } : {}),
      configDigest: facts.configDigest,
      ...(platform ? { platform } : {}),
      config: { ...(user !== undefined ? { user } : {}), ...(uid !== undefined ? { userUid: uid } : {}) },
      ...(baseImage ? { baseImage } : {}),
      ...(os
        ? {
            os: {
              id: os.id,
              ...(os.versionId !== undefined ? { versionId: os.versionId } : {}),
              ...(os.prettyName !== undefined ? { prettyName: os.prettyName } : {}),
              path: os.path,
              layerDigest: os.layerDigest,
              ...(eol ? { endOfLife: eol.eol } : {}),
              ...(eol?.regularSupportEnds ? { regularSupportEnds: eol.regularSupportEnds } : {}),
              endOfLifeTableDate: END_OF_LIFE_TABLE_DATE,
            },
          }
        : {}),
      shells: shells.map((f) => ({ ...f })),
      packageManagers: packageManagers.map((f) => ({ ...f })),
      setuidFiles: setuidFileFacts(facts.files()).map((f) => ({ ...f })),
      secrets: facts.secrets.map((s) => ({ ...s })),
      secretScan: {
        files: facts.secretScan.files,
        bytes: facts.secretScan.bytes,
        ...(facts.secretsNotListed > 0 ? { notListed: facts.secretsNotListed } : {}),
      },
    },
  };
}
