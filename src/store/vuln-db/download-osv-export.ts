import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** OSV's public per-ecosystem exports: <base>/<ecosystem>/all.zip. */
export const OSV_EXPORT_BASE = 'https://osv-vulnerabilities.storage.googleapis.com';

/** The ecosystems `aspis db update` downloads unless --ecosystem names others: what container images hold. */
export const DEFAULT_UPDATE_ECOSYSTEMS = ['Alpine', 'Debian', 'Ubuntu', 'Go', 'npm', 'PyPI', 'Maven', 'RubyGems', 'crates.io', 'NuGet', 'Packagist'];

/** The zip URLs to fetch: `from` itself when it names a .zip, else one <from>/<ecosystem>/all.zip per ecosystem. */
export function exportUrls(from: string, ecosystems: readonly string[]): string[] {
  if (/\.zip(\?.*)?$/i.test(from)) return [from];
  const base = from.replace(/\/+$/, '');
  return ecosystems.map((ecosystem) => `${base}/${encodeURIComponent(ecosystem)}/all.zip`);
}

export class DownloadError extends Error {}

/** Streams a URL to a file (never held in memory); a non-2xx answer or a network failure is a DownloadError. */
export async function downloadTo(url: string, file: string, timeoutMs = 600_000): Promise<number> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new DownloadError(`${url}: ${cause ?? (error as Error).message}`);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new DownloadError(`${url}: HTTP ${response.status} ${response.statusText}`.trim());
  }
  await mkdir(dirname(file), { recursive: true });
  let bytes = 0;
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => (bytes += chunk.length));
  try {
    await pipeline(body, createWriteStream(file));
  } catch (error) {
    await rm(file, { force: true });
    throw new DownloadError(`${url}: download interrupted (${(error as Error).message})`);
  }
  return bytes;
}
