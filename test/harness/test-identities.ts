/**
 * The users a test control plane knows: token users (from --token-auth-file) and client-certificate users (CN = user,
 * O = groups, signed by the harness CA). Every authenticated user also gets system:authenticated from the server.
 */
import { randomBytes } from 'node:crypto';

export type IdentityKind = 'token' | 'cert';

export interface IdentitySpec {
  /** Short name tests use to pick the identity (`kubeconfigFor('alice')`). */
  name: string;
  kind: IdentityKind;
  /** The Kubernetes user name the server authenticates. */
  user: string;
  groups: readonly string[];
}

export interface TestIdentity extends IdentitySpec {
  /** Bearer token (token identities only). */
  token?: string;
}

/**
 * admin has every right through system:masters; the others start with no grant at all, so a test decides what they
 * may do with its own RoleBindings.
 */
export const DEFAULT_IDENTITIES: readonly IdentitySpec[] = [
  { name: 'admin', kind: 'cert', user: 'aspis-admin', groups: ['system:masters'] },
  { name: 'alice', kind: 'token', user: 'alice', groups: ['developers'] },
  { name: 'bob', kind: 'token', user: 'bob', groups: ['developers', 'auditors'] },
  { name: 'carol', kind: 'cert', user: 'carol', groups: ['ops'] },
  { name: 'dave', kind: 'cert', user: 'dave', groups: [] },
  { name: 'nobody', kind: 'token', user: 'nobody', groups: [] },
];

export function withTokens(specs: readonly IdentitySpec[]): TestIdentity[] {
  const seen = new Set<string>();
  return specs.map((spec) => {
    if (seen.has(spec.name)) throw new Error(`test identity "${spec.name}" is declared twice`);
    seen.add(spec.name);
    return spec.kind === 'token' ? { ...spec, token: randomBytes(24).toString('hex') } : { ...spec };
  });
}

/** The static token file format: token,user,uid,"group1,group2". */
export function tokenAuthFile(identities: readonly TestIdentity[]): string {
  return identities
    .filter((identity) => identity.kind === 'token')
    .map((identity) => {
      for (const group of identity.groups) {
        if (group.includes('"')) throw new Error(`test identity "${identity.name}": group ${group} contains a quote`);
      }
      return `${identity.token},${identity.user},${identity.user},"${identity.groups.join(',')}"`;
    })
    .join('\n')
    .concat('\n');
}
