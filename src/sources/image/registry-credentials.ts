/**
 * Registry credentials: ASPIS_REGISTRY_USERNAME / ASPIS_REGISTRY_PASSWORD, else the `auths` of Docker's config
 * (~/.docker/config.json or $DOCKER_CONFIG/config.json, written by `docker login` / `podman login --compat-auth-file`).
 * Credential helpers are not run. Nothing is ever printed or logged.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

export function registryCredentials(registry: string, env: NodeJS.ProcessEnv = process.env): RegistryCredentials | undefined {
  if (env.ASPIS_REGISTRY_USERNAME && env.ASPIS_REGISTRY_PASSWORD !== undefined) {
    return { username: env.ASPIS_REGISTRY_USERNAME, password: env.ASPIS_REGISTRY_PASSWORD };
  }
  const path = join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
  let auths: Record<string, { auth?: string }> = {};
  try {
    auths = (JSON.parse(readFileSync(path, 'utf8')) as { auths?: typeof auths }).auths ?? {};
  } catch {
    return undefined;
  }
  const keys = registry === 'docker.io' ? ['https://index.docker.io/v1/', 'docker.io', 'index.docker.io'] : [registry, `https://${registry}`, `http://${registry}`];
  for (const key of keys) {
    const auth = auths[key]?.auth;
    if (!auth) continue;
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}
