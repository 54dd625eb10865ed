/** The image a vulnerability was found in, as VEX products and waiver selectors name it. */
export interface ScannedImage {
  /** As the user or the Pod named it: `registry.example.com/app:1.2`, `oci:DIR:tag`, a path. */
  readonly name: string;
  readonly manifestDigest?: string;
  readonly configDigest?: string;
}

/** The image's digests (`sha256:…`), manifest first. */
export function imageDigests(image: ScannedImage): string[] {
  return [image.manifestDigest, image.configDigest].filter((d): d is string => d !== undefined);
}

/** The repository's last path segment (`app` for `registry.example.com/team/app:1.2@sha256:…`), as pkg:oci names it. */
export function imageShortName(image: ScannedImage): string {
  const withoutDigest = image.name.split('@')[0]!;
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  return lastSegment.split(':')[0]!.toLowerCase();
}
