/**
 * The scan results the webhook judges images by, held in memory so a review never reads the disk: the store is
 * opened read-only and polled every refreshSeconds on a timer. A poll costs one PRAGMA when nothing changed; new
 * scans are loaded incrementally (ids only grow), and the whole index is rebuilt when scans were removed (pruned).
 * A scan recorded is therefore seen within refreshSeconds. When a poll fails, the last loaded results stay in use.
 * With `only`, each scan keeps only the vulnerabilities that could block admission (at or above the threshold, not
 * waived at scan time): memory and load time grow with images, not with every low finding they carry.
 */
import type { ImageScanRecord } from '../../store/scan-results/image-scan-record.js';
import type { ScanLookup } from '../../store/scan-results/scan-results-index.js';
import { ScanResultsIndex } from '../../store/scan-results/scan-results-index.js';
import { ScanResultsStore } from '../../store/scan-results/scan-results-store.js';
import type { VulnerabilityFilter } from '../../store/scan-results/scan-results-store.js';

export interface ScanResultsCacheStats {
  path: string;
  /** Scans loaded (superseded ones included), distinct digests and tags. */
  scans: number;
  digests: number;
  references: number;
  refreshes: number;
  fullLoads: number;
  /** Duration of the last load that read rows, ms. */
  lastLoadMs: number;
}

export class ScanResultsCache implements ScanLookup {
  private index = new ScanResultsIndex();
  private lastId = 0;
  private revision: number;
  private timer: NodeJS.Timeout | undefined;
  private refreshes = 0;
  private fullLoads = 0;
  private lastLoadMs = 0;

  private constructor(
    private readonly store: ScanResultsStore,
    private readonly only: VulnerabilityFilter | undefined,
  ) {
    this.revision = store.revision();
    this.load(true);
  }

  /** Opens the store read-only and loads it; throws ScanResultsOpenError when there is no store at `path`. */
  static open(path: string, options: { refreshSeconds?: number; onError?: (error: Error) => void; only?: VulnerabilityFilter } = {}): ScanResultsCache {
    const cache = new ScanResultsCache(ScanResultsStore.open(path, { readonly: true }), options.only);
    if (options.refreshSeconds !== undefined) {
      cache.timer = setInterval(() => {
        try {
          cache.refresh();
        } catch (error) {
          options.onError?.(error as Error);
        }
      }, options.refreshSeconds * 1000);
      cache.timer.unref();
    }
    return cache;
  }

  byDigest(digest: string): ImageScanRecord | undefined {
    return this.index.byDigest(digest);
  }

  byReference(key: string): ImageScanRecord | undefined {
    return this.index.byReference(key);
  }

  /** Loads what changed since the last load; returns how many scans were read. */
  refresh(): number {
    this.refreshes++;
    const revision = this.store.revision();
    if (revision === this.revision) return 0;
    this.revision = revision;
    return this.load(false);
  }

  private load(full: boolean): number {
    const started = performance.now();
    const { added, extent } = this.store.snapshot(() => ({ added: this.store.scansAfter(full ? 0 : this.lastId, this.only), extent: this.store.extent() }));
    if (!full && this.index.size + added.length !== extent.scans) return this.load(true);
    const index = full ? new ScanResultsIndex() : this.index;
    for (const record of added) index.add(record);
    if (full) {
      this.index = index;
      this.fullLoads++;
    }
    this.lastId = Math.max(this.lastId, extent.maxId);
    this.lastLoadMs = performance.now() - started;
    return added.length;
  }

  stats(): ScanResultsCacheStats {
    return { path: this.store.path, scans: this.index.size, ...this.index.counts, refreshes: this.refreshes, fullLoads: this.fullLoads, lastLoadMs: Math.round(this.lastLoadMs * 100) / 100 };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.store.close();
  }
}
