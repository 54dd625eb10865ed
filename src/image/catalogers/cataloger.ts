/**
 * The contract between image sources (registry, OCI layout/archive, docker archive: they walk layers and apply
 * whiteouts) and catalogers (one per ecosystem: they turn a few files into packages).
 *
 * How a source drives catalogers (see catalog-image.ts, which does the dispatch):
 *  1. For every entry of the image's FINAL filesystem (after whiteouts and opaque directories), the source builds
 *     an `ImageFile` from the tar header and asks each cataloger `wants(file)`. This is called for every file of
 *     every layer, so it looks only at the header (path, mode, size) and must be cheap.
 *  2. For wanted files only, the source provides a `FileContent`: random access to the bytes. Small files can be
 *     held in memory (`bytesContent`); large ones (Go/Rust binaries, fat jars) can be spilled to a temporary file
 *     of Aspis's cache and read on demand, so a cataloger that needs only an ELF header and one section never
 *     holds the whole binary. Catalogers read what they need through `read(offset, length)` (or `readAll` for
 *     metadata files, which are bounded by `maxReadBytes`).
 *  3. `catalogImage(inputs, catalogers)` runs the os-release cataloger first, passes what it found as
 *     `CatalogContext.os` (distro release for matching), then every other cataloger with its wanted inputs.
 *
 * Links: a symlink is offered as an `ImageFile` with `linkTarget`; sources resolve it, and offer the target's
 * content under the link's path when a cataloger wants the link's path (e.g. /etc/os-release → ../usr/lib/os-release).
 * Hard links are offered with the content of the file they link to.
 *
 * Errors: a cataloger never throws for bad content; it returns what it could read plus `problems` naming the
 * path (and line where there is one), so one corrupt file never loses the other packages.
 *
 * Package fields are those vuln/ matches on (`PackageQuery`: ecosystem as OSV names it, name, version, source
 * package, distro release) plus what an SBOM needs: purl, licences, locations (layer digest + path).
 */
import type { PackageQuery } from '../../vuln/matching/package-query.js';
import type { OsRelease } from './os-release.js';

/** One entry of the image's final filesystem (after whiteouts), described by its tar header. */
export interface ImageFile {
  /** Absolute and normalised: starts with "/", no "." or ".." segments, no trailing "/". */
  readonly path: string;
  /** Permission and type bits as in stat(2) `st_mode` (S_IFREG 0o100000, S_IFLNK 0o120000, setuid 0o4000 …). */
  readonly mode: number;
  readonly size: number;
  /** For symbolic links: the target as written in the layer (relative or absolute). */
  readonly linkTarget?: string;
  /** Digest of the layer ("sha256:…", the diff or blob digest the source reports) the final version comes from. */
  readonly layerDigest: string;
  readonly uid: number;
  readonly gid: number;
}

/** Random access to a wanted file's bytes; offsets past the end return fewer (or zero) bytes. */
export interface FileContent {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface CatalogInput {
  readonly file: ImageFile;
  readonly content: FileContent;
}

export interface CatalogContext {
  /** The image's operating system, when /etc/os-release (or /usr/lib/os-release) was found. */
  readonly os?: OsRelease;
}

/** Where a package was found. */
export interface PackageLocation {
  readonly layerDigest: string;
  readonly path: string;
}

/** One installed package. */
export interface Package extends PackageQuery {
  /** Package URL (https://github.com/package-url/purl-spec) for SBOMs. */
  readonly purl: string;
  /** Licence expressions or names as the package declares them (SPDX ids where the metadata gives them). */
  readonly licenses?: readonly string[];
  readonly locations: readonly PackageLocation[];
  /** Id of the cataloger that reported it. */
  readonly foundBy: string;
  /** Ecosystem-specific facts worth an SBOM property (e.g. goToolchain, mainModule, architecture). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A file a cataloger could not (fully) read; the message says why. */
export interface CatalogProblem {
  readonly catalogerId: string;
  readonly layerDigest: string;
  /** Path of the file, with ":line" or "!/inner/path" (for nested archives) when known. */
  readonly path: string;
  readonly message: string;
}

export interface CatalogResult {
  readonly packages: Package[];
  readonly problems: CatalogProblem[];
  /**
   * Files an operating-system package manager installed (dpkg's info/<package>.list), by path, with the package
   * (one of `packages`) that owns each: see `Cataloger.yieldsToOsPackages`.
   */
  readonly ownedFiles?: ReadonlyMap<string, Package>;
}

export interface Cataloger {
  /** Kebab-case id, e.g. "dpkg", "python", "go-binary". */
  readonly id: string;
  /** Cheap predicate on the tar header; called for every file of the final filesystem. */
  wants(file: ImageFile): boolean;
  /**
   * True for language catalogers whose metadata files a distribution may install (python3-yaml's dist-info,
   * ruby-* gemspecs, lib*-java jars): a package all of whose locations an OS package owns is reported as part of
   * that OS package, not a second time (the distribution's advisories, with its backported fixes, are the ones
   * that apply), as Trivy and Syft do. Binary catalogers leave it unset: modules compiled into a binary are not
   * tracked by the binary package's advisories.
   */
  readonly yieldsToOsPackages?: boolean;
  /** Reads the wanted files and reports their packages. */
  catalog(inputs: readonly CatalogInput[], context: CatalogContext): Promise<CatalogResult>;
}

/** Largest metadata file (status database, package.json, METADATA …) a cataloger reads whole. */
export const MAX_METADATA_BYTES = 256 * 1024 * 1024;

/** A `FileContent` over bytes already in memory (small files, tests, nested archive members). */
export function bytesContent(bytes: Uint8Array): FileContent {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(Math.max(0, offset), Math.min(bytes.length, Math.max(0, offset) + length)),
  };
}

/** The whole content, refused above `limit` bytes so a hostile file cannot exhaust memory. */
export async function readAll(content: FileContent, limit = MAX_METADATA_BYTES): Promise<Uint8Array> {
  if (content.size > limit) throw new Error(`file is ${content.size} bytes, above the ${limit}-byte limit for metadata files`);
  return content.read(0, content.size);
}

/** Regular file (not a link, directory or device). */
export function isRegularFile(file: ImageFile): boolean {
  return (file.mode & 0o170000) === 0o100000;
}
