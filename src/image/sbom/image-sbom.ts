/**
 * What an SBOM of an image says, independent of the format: the image (name, digests, OS) and its packages as the
 * catalogers found them. The SBOM writers (src/outputs/sbom-cyclonedx.ts, sbom-spdx.ts) render it; the time and the
 * document's unique id are given by the caller, so the writers stay pure and their output reproducible in tests.
 */
import type { OsRelease } from '../catalogers/os-release.js';
import type { Package } from '../catalogers/cataloger.js';

export interface ImageSbom {
  readonly image: {
    /** As the user named it (reference or path). */
    readonly name: string;
    readonly manifestDigest?: string;
    readonly configDigest: string;
    readonly tags: readonly string[];
    readonly architecture?: string;
    readonly os?: OsRelease;
  };
  readonly packages: readonly Package[];
  readonly tool: { readonly name: string; readonly version: string };
  /** ISO 8601 time of the scan. */
  readonly timestamp: string;
  /** A UUID identifying this document (CycloneDX serialNumber, SPDX documentNamespace). */
  readonly documentId: string;
}

/** Property names Aspis writes into SBOMs and reads back (`aspis scan sbom`) to match distro packages exactly. */
export const SBOM_PROPERTY = {
  ecosystem: 'aspis:package:ecosystem',
  sourceName: 'aspis:package:sourceName',
  sourceVersion: 'aspis:package:sourceVersion',
  distroRelease: 'aspis:package:distroRelease',
  foundBy: 'aspis:package:foundBy',
  layerDigest: 'aspis:location:layerDigest',
  path: 'aspis:location:path',
  metadataPrefix: 'aspis:metadata:',
} as const;

/** A stable, unique reference for each package within one document (bom-ref / SPDXID suffix). */
export function packageRefs(packages: readonly Pick<Package, 'ecosystem' | 'name' | 'version'>[]): string[] {
  const seen = new Map<string, number>();
  return packages.map((p) => {
    const base = `${p.ecosystem}/${p.name}@${p.version}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  });
}
