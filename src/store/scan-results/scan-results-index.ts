/**
 * The newest scan of each image, in memory, for lookups that must not touch the disk (admission reviews): by digest
 * (manifest or index) and by `repository:tag`. Filled from the store by whoever owns the refresh; pure.
 */
import type { ImageScanRecord } from './image-scan-record.js';

export interface ScanLookup {
  /** The newest scan of the image with this manifest or index digest. */
  byDigest(digest: string): ImageScanRecord | undefined;
  /** The newest scan recorded under this `repository:tag` (see referenceKey). */
  byReference(key: string): ImageScanRecord | undefined;
}

export class ScanResultsIndex implements ScanLookup {
  private readonly digests = new Map<string, ImageScanRecord>();
  private readonly references = new Map<string, ImageScanRecord>();
  /** Scans added (superseded ones included). */
  size = 0;

  add(record: ImageScanRecord): void {
    this.size++;
    const keep = (map: Map<string, ImageScanRecord>, key: string | undefined) => {
      if (key === undefined) return;
      const current = map.get(key);
      // Newest by scan time; recorded later wins a tie (scans may be recorded out of order, e.g. imported).
      if (!current || current.scannedAt < record.scannedAt || (current.scannedAt === record.scannedAt && current.id < record.id)) map.set(key, record);
    };
    keep(this.digests, record.manifestDigest);
    keep(this.digests, record.indexDigest);
    keep(this.references, record.reference);
  }

  byDigest(digest: string): ImageScanRecord | undefined {
    return this.digests.get(digest);
  }

  byReference(key: string): ImageScanRecord | undefined {
    return this.references.get(key);
  }

  /** Distinct images (digests) and tags known. */
  get counts(): { digests: number; references: number } {
    return { digests: this.digests.size, references: this.references.size };
  }
}
