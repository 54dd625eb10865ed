import type { Descriptor } from './image-documents.js';

/** A platform as `--platform` spells it: os/architecture[/variant]. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export function parsePlatform(text: string): Platform {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new Error(`invalid platform "${text}": expected os/architecture[/variant], e.g. linux/amd64 or linux/arm64/v8`);
  }
  return { os: parts[0]!, architecture: parts[1]!, ...(parts[2] ? { variant: parts[2] } : {}) };
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** Node's process.arch in OCI spelling (the default platform is the machine Aspis runs on, as docker pull does). */
export function ociArchitecture(nodeArch: string): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[nodeArch] ?? nodeArch;
}

/**
 * The manifest of an index for a platform. A variant in the request must match; without one, any variant matches
 * (arm64's only variant is v8). Attestation manifests (platform unknown/unknown) never match.
 */
export function selectPlatformManifest(manifests: readonly Descriptor[], wanted: Platform, what: string): Descriptor {
  const candidates = manifests.filter(
    (m) =>
      m.platform !== undefined &&
      m.platform.os === wanted.os &&
      m.platform.architecture === wanted.architecture &&
      (wanted.variant === undefined || m.platform.variant === wanted.variant),
  );
  if (candidates.length > 0) return candidates[0]!;
  const offered = manifests
    .filter((m) => m.platform && m.platform.os !== 'unknown')
    .map((m) => formatPlatform(m.platform!));
  throw new Error(
    `${what}: no manifest for platform ${formatPlatform(wanted)} (the index offers ${offered.length > 0 ? offered.join(', ') : 'no platforms'}); choose one with --platform`,
  );
}
