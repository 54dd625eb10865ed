import type { Violation, WorkloadCheck } from '../../../core/model/check.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Words of a variable name: `dbPassword` and `DB_PASSWORD` both give DB, PASSWORD. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((w) => w !== '');
}

/** Words that name a credential on their own. */
const CREDENTIAL_WORDS = new Set(['PASSWORD', 'PASSWD', 'PASS', 'PASSPHRASE', 'SECRET', 'TOKEN', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS']);
/** Word pairs that name a credential (`API_KEY`, `PRIVATE_KEY`…). */
const CREDENTIAL_PAIRS = new Set(['API_KEY', 'ACCESS_KEY', 'PRIVATE_KEY', 'SECRET_KEY', 'AUTH_KEY', 'SIGNING_KEY', 'ENCRYPTION_KEY', 'MASTER_KEY']);
/** Compound words ending with a credential word (`DBPASSWORD`, `GITHUBTOKEN`). */
const CREDENTIAL_SUFFIXES = ['PASSWORD', 'PASSWD', 'SECRET', 'TOKEN', 'APIKEY'];
/**
 * A last word that makes the variable about a credential rather than the credential itself:
 * `PASSWORD_FILE`, `TOKEN_URL`, `SECRET_NAME`, `ACCESS_KEY_ID`, `TOKEN_TTL`…
 */
const DESCRIPTIVE_LAST_WORDS = new Set([
  'FILE', 'PATH', 'DIR', 'DIRECTORY', 'URL', 'URI', 'ENDPOINT', 'HOST', 'PORT', 'NAME', 'NAMES', 'ID', 'REF',
  'TTL', 'EXPIRY', 'EXPIRATION', 'EXPIRES', 'LIFETIME', 'DURATION', 'TIMEOUT', 'INTERVAL', 'AGE', 'ROTATION',
  'LENGTH', 'SIZE', 'MIN', 'MAX', 'COUNT', 'LIMIT', 'TYPE', 'KIND', 'MODE', 'FORMAT', 'ALGORITHM', 'VERSION',
  'ENABLED', 'DISABLED', 'ENABLE', 'DISABLE', 'REQUIRED', 'HEADER', 'FIELD', 'PREFIX', 'ISSUER', 'AUDIENCE',
  'SCOPE', 'SCOPES', 'USER', 'USERNAME', 'LOCATION', 'PROVIDER', 'SOURCE', 'STORE', 'KEYRING',
]);

/**
 * The verdict of each variable name seen: the same names (LOG_LEVEL, POD_NAME…) recur in nearly every container, and
 * splitting a name into words is most of this check's work. Small and emptied when full: a long name read from YAML
 * is a slice of its document's text, which a kept key would keep alive.
 */
const NAME_VERDICTS = new Map<string, string | undefined>();
const NAME_CACHE_LIMIT = 1_000;

function credentialName(name: string): string | undefined {
  if (NAME_VERDICTS.has(name)) return NAME_VERDICTS.get(name);
  const verdict = credentialWordOf(name);
  if (NAME_VERDICTS.size >= NAME_CACHE_LIMIT) NAME_VERDICTS.clear();
  NAME_VERDICTS.set(name, verdict);
  return verdict;
}

function credentialWordOf(name: string): string | undefined {
  const list = words(name);
  if (list.length === 0) return undefined;
  const last = list[list.length - 1]!;
  if (DESCRIPTIVE_LAST_WORDS.has(last)) return undefined;
  for (let i = 0; i < list.length; i++) {
    const word = list[i]!;
    if (CREDENTIAL_WORDS.has(word)) return word;
    const pair = i + 1 < list.length ? `${word}_${list[i + 1]}` : '';
    if (CREDENTIAL_PAIRS.has(pair)) return pair;
    const suffix = CREDENTIAL_SUFFIXES.find((s) => word.length > s.length && word.endsWith(s));
    if (suffix) return word;
  }
  return undefined;
}

/** Values that are not a credential even under a credential name: references, placeholders, paths, switches. */
function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return (
    v === '' ||
    /^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(v) || // Kubernetes dependent variable $(OTHER)
    /^\$\{[^}]+\}$/.test(v) || // ${VAR} left for the application or a template
    /^\{\{.*\}\}$/.test(v) ||
    /^\/[^\s]*$/.test(v) || // a file path
    /^(true|false|yes|no|on|off|none|null)$/i.test(v)
  );
}

/** Well-known token formats, recognised in any variable. */
const TOKEN_FORMATS: readonly { format: RegExp; what: string }[] = [
  { format: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/, what: 'a PEM private key' },
  { format: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, what: 'an AWS access key id' },
  { format: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/, what: 'a GitHub token' },
  { format: /\bgithub_pat_[A-Za-z0-9_]{60,}\b/, what: 'a GitHub fine-grained token' },
  { format: /\bglpat-[A-Za-z0-9_-]{20,}\b/, what: 'a GitLab token' },
  { format: /\bxox[abprs]-[A-Za-z0-9-]{10,}/, what: 'a Slack token' },
  { format: /\bAIza[0-9A-Za-z_-]{35}\b/, what: 'a Google API key' },
  { format: /\b[rs]k_live_[0-9A-Za-z]{20,}\b/, what: 'a Stripe live key' },
  { format: /\bsk-(?:proj-)?[A-Za-z0-9_-]{32,}\b/, what: 'an OpenAI-style API key' },
  { format: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/, what: 'a JSON Web Token' },
  { format: /^(?:bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}$/i, what: 'an HTTP Authorization credential' },
];

/** `scheme://user:password@host`, unless the password is a reference. */
const URL_CREDENTIALS = /^[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:([^\s/@]+)@/i;

function credentialFormat(value: string): string | undefined {
  for (const { format, what } of TOKEN_FORMATS) if (format.test(value)) return what;
  const url = URL_CREDENTIALS.exec(value);
  if (url && !isPlaceholder(url[1]!)) return 'a URL with an embedded password';
  return undefined;
}

export const check: WorkloadCheck = {
  id: 'hardcoded-credentials-in-env',
  title: 'Credentials written literally in environment variables',
  severity: 'high',
  category: 'workload',
  target: { workloads: true },
  rationale:
    'A credential written as a literal env value is stored in the manifest, in version control, in every ' +
    'ReplicaSet revision and in etcd without Secret protections, and anyone who can read the workload (get on ' +
    'deployments, pods) can read it. A variable is reported when its name denotes a credential (PASSWORD, SECRET, ' +
    'TOKEN, API_KEY, PRIVATE_KEY…, but not …_FILE, …_PATH, …_URL, …_NAME, …_ID, …_TTL) and its value is not a file ' +
    'path, a $(VAR) reference or a switch, or when its value has the format of a well-known credential (private key, ' +
    'AWS key id, GitHub/GitLab/Slack/Google/Stripe token, JWT, Authorization header, URL with a password). Evidence ' +
    'names the variable and the reason, never the value.',
  remediation:
    'Rotate the exposed credential, store it in a Secret (or an external secret store) and mount it as a file; remove ' +
    'the literal value from the manifest and its history.',
  references: [
    'https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF',
    'https://kubernetes.io/docs/concepts/security/secrets-good-practices/',
    'https://cwe.mitre.org/data/definitions/798.html',
  ],
  evaluate(workload) {
    const violations: Violation[] = [];
    for (const c of workload.containers) {
      const env = c.container['env'];
      if (!Array.isArray(env)) continue;
      env.forEach((entry, i) => {
        if (!isRecord(entry)) return;
        const value = entry['value'];
        if (typeof value !== 'string' || value === '') return;
        const variable = typeof entry['name'] === 'string' ? entry['name'] : `env[${i}]`;
        let reason: string | undefined;
        const format = credentialFormat(value);
        if (format) reason = `the value has the format of ${format}`;
        else {
          const word = credentialName(variable);
          if (word && !isPlaceholder(value)) reason = `the name denotes a credential (${word}) and the value is a literal`;
        }
        if (!reason) return;
        violations.push({
          path: [...c.path, 'env', i, 'value'],
          message: `container "${c.name}" sets environment variable "${variable}" to a literal credential: ${reason}`,
          evidence: { variable, reason },
        });
      });
    }
    return violations;
  },
};
