/**
 * Known secret formats. Each rule's regex captures the secret in group 1 (used only to validate it: its
 * length, entropy, or an example marker — it is never reported).
 */
export interface SecretRule {
  readonly id: string;
  readonly description: string;
  readonly pattern: RegExp;
  /** Extra test on the captured value and the text after the match (e.g. a key body must follow). */
  readonly accept?: (value: string, after: string) => boolean;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** A PEM private key header is a secret only when a key body follows (libraries quote the header alone). */
function keyBodyFollows(_value: string, after: string): boolean {
  const lines = after.replace(/\\n/g, '\n').split(/\r?\n/).slice(1, 6);
  return lines.some((l) => /^[A-Za-z0-9+/=]{32,}$/.test(l.trim()));
}

/** Documentation keys (AWS's AKIAIOSFODNN7EXAMPLE and friends) are not secrets. */
const notExample = (value: string): boolean => !/EXAMPLE/i.test(value);

const PLACEHOLDER = /example|changeme|change_me|placeholder|your[_-]|xxxx|\$\{|\{\{|<|%s|dummy|sample|redacted|\*\*\*/i;

function characterClasses(value: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(value)).length;
}

/** Ordered most specific first: the first rule matching a line names the finding. */
export const SECRET_RULES: readonly SecretRule[] = [
  {
    id: 'gcp-service-account-key',
    description: 'Google Cloud service account key (JSON)',
    pattern: /"private_key"\s*:\s*"(-----BEGIN PRIVATE KEY-----\\n[A-Za-z0-9+/=]{32,})/g,
  },
  {
    id: 'private-key',
    description: 'private key (PEM)',
    pattern: /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----/g,
    accept: keyBodyFollows,
  },
  { id: 'aws-access-key-id', description: 'AWS access key ID', pattern: /(?<![A-Z0-9])((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Z0-9])/g, accept: notExample },
  {
    id: 'aws-secret-access-key',
    description: 'AWS secret access key',
    pattern: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    accept: notExample,
  },
  { id: 'azure-storage-account-key', description: 'Azure storage account key', pattern: /AccountKey=([A-Za-z0-9+/]{86}==)/g },
  {
    id: 'azure-client-secret',
    description: 'Azure AD (Entra ID) client secret',
    pattern: /(?<![A-Za-z0-9_~.-])([A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])/g,
  },
  { id: 'github-token', description: 'GitHub token', pattern: /(?<![A-Za-z0-9_])(gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])/g },
  { id: 'gitlab-token', description: 'GitLab personal access token', pattern: /(?<![A-Za-z0-9_-])(glpat-[A-Za-z0-9_-]{20,})/g },
  { id: 'slack-token', description: 'Slack token', pattern: /(?<![A-Za-z0-9-])(xox[abposr]-[0-9A-Za-z-]{10,})/g },
  { id: 'slack-webhook', description: 'Slack incoming webhook URL', pattern: /(https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{20,})/g },
  { id: 'npm-token', description: 'npm access token', pattern: /(?<![A-Za-z0-9_])(npm_[A-Za-z0-9]{36})(?![A-Za-z0-9])/g },
  {
    id: 'npmrc-auth-token',
    description: 'npm registry auth token (.npmrc)',
    pattern: /_authToken\s*=\s*([^\s$"']{20,})/g,
    accept: (value) => !PLACEHOLDER.test(value),
  },
  { id: 'pypi-token', description: 'PyPI API token', pattern: /(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})/g },
  {
    id: 'high-entropy-assignment',
    description: 'high-entropy value assigned to a password, secret, token or key',
    pattern: /(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret)["']?\s*[:=]\s*["']([^"'\s]{16,200})["']/gi,
    accept: (value) => !PLACEHOLDER.test(value) && characterClasses(value) >= 3 && shannonEntropy(value) >= 4,
  },
];
