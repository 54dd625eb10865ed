/** A Pod Security Standards policy version: v1.N (Kubernetes minor N). */
export interface PssVersion {
  major: 1;
  minor: number;
}

/** The newest policy version Aspis implements; `latest` resolves to it. */
export const LATEST_PSS_VERSION: PssVersion = { major: 1, minor: 37 };

export function parsePssVersion(text: string): PssVersion {
  if (text === 'latest') return LATEST_PSS_VERSION;
  const match = /^v?1\.(\d+)$/.exec(text);
  if (!match) throw new Error(`invalid Pod Security Standards version "${text}": expected "latest" or v1.N`);
  const minor = Number(match[1]);
  // Versions newer than the newest we know are evaluated as the newest, as PodSecurity admission does.
  return { major: 1, minor: Math.min(minor, LATEST_PSS_VERSION.minor) };
}

export function formatPssVersion(version: PssVersion): string {
  return `v${version.major}.${version.minor}`;
}

/** Settings some checks read (from `.aspis.yaml`). Checks stay pure: everything they need arrives here. */
export interface CheckSettings {
  /** Registries (host or host/path prefix) images may come from; empty means the allowlist check has nothing to enforce. */
  allowedRegistries: string[];
}

export interface CheckContext {
  pssVersion: PssVersion;
  settings: CheckSettings;
}

export function defaultCheckContext(): CheckContext {
  return { pssVersion: LATEST_PSS_VERSION, settings: { allowedRegistries: [] } };
}
