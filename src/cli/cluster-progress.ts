import type { ClusterProgress } from '../sources/cluster/cluster-batches.js';

/**
 * Progress on standard error when it is a terminal: the kind being listed and the objects read so far, rewritten in
 * place, then one closing line with what was left out as controlled by a workload. Notes (an expired continue token,
 * kinds not read with -n) are printed whatever stderr is.
 */
export class ProgressLine {
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastDraw = 0;
  private shown = false;
  private started = performance.now();

  update(event: ClusterProgress): void {
    switch (event.type) {
      case 'start':
        this.started = performance.now();
        return;
      case 'note':
        this.clear();
        process.stderr.write(`aspis: note: ${event.message}\n`);
        return;
      case 'page': {
        if (!this.tty) return;
        const now = performance.now();
        if (now - this.lastDraw < 100) return;
        this.lastDraw = now;
        const where = event.namespace !== undefined ? ` in ${event.namespace}` : '';
        process.stderr.write(`\r\x1b[Kaspis: listing ${event.resource}${where}: ${event.listed + event.skipped} · ${event.total} objects so far`);
        this.shown = true;
        return;
      }
      case 'done': {
        if (!this.tty) return;
        this.clear();
        const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
        const skipped = Object.entries(event.skippedByKind).map(([kind, count]) => `${count} ${kind}`).join(', ');
        process.stderr.write(
          `aspis: read ${event.objects + event.skipped} objects in ${seconds} s; scanned ${event.objects}` +
            (event.skipped > 0 ? `; left out ${event.skipped} controlled by a scanned workload (${skipped}), reported through their controller` : '') +
            '\n',
        );
        return;
      }
    }
  }

  private clear(): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
    this.shown = false;
  }

  end(): void {
    this.clear();
  }
}
