/**
 * Certificates for a test control plane, made with the `openssl` CLI: Node's crypto can create keys but cannot issue
 * X.509 certificates (X509Certificate only parses), a JavaScript CA library would be a dependency for tests alone,
 * and openssl is on every Debian host (.ci/run installs it when missing). EC P-256 keys: each certificate costs a
 * few milliseconds, where RSA key generation would dominate startup.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface CertificateFiles {
  cert: string;
  key: string;
}

export interface ClientCertificateRequest {
  /** File name stem inside the PKI directory. */
  name: string;
  user: string;
  groups: readonly string[];
}

export interface TestPki {
  caCert: string;
  caKey: string;
  /** Serving certificate for 127.0.0.1, localhost and the in-cluster kubernetes service names. */
  serving: CertificateFiles;
  clients: Map<string, CertificateFiles>;
  /** EC key pair signing and verifying service-account tokens. */
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('openssl is not installed: apt-get install openssl (or run .ci/run)');
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

/** openssl -subj syntax; / and \ inside a value must be escaped. */
function subject(parts: [string, string][]): string {
  return parts.map(([field, value]) => `/${field}=${value.replace(/[\\/]/g, (c) => `\\${c}`)}`).join('');
}

async function issue(dir: string, name: string, subj: string, extensions: string[], caCert: string, caKey: string) {
  const files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  await openssl([
    'req', '-x509', ...EC_KEY, '-keyout', files.key, '-out', files.cert, '-days', '3650', '-subj', subj,
    '-CA', caCert, '-CAkey', caKey, '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment', ...extensions.flatMap((e) => ['-addext', e]),
  ]);
  return files;
}

export async function createTestPki(dir: string, clients: readonly ClientCertificateRequest[]): Promise<TestPki> {
  const caCert = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  const serviceAccountKey = join(dir, 'service-account.key');
  const serviceAccountPublicKey = join(dir, 'service-account.pub');
  await Promise.all([
    openssl([
      'req', '-x509', ...EC_KEY, '-keyout', caKey, '-out', caCert, '-days', '3650', '-subj', '/CN=aspis-test-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]),
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', serviceAccountKey])
      .then(() => openssl(['pkey', '-in', serviceAccountKey, '-pubout', '-out', serviceAccountPublicKey])),
  ]);
  const sans = [
    'IP:127.0.0.1', 'DNS:localhost', 'IP:10.0.0.1', 'DNS:kubernetes', 'DNS:kubernetes.default',
    'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local',
  ];
  const [serving, ...issued] = await Promise.all([
    issue(dir, 'apiserver', '/CN=kube-apiserver', ['extendedKeyUsage=serverAuth', `subjectAltName=${sans.join(',')}`], caCert, caKey),
    ...clients.map((client) =>
      issue(
        dir,
        client.name,
        subject([...client.groups.map((g): [string, string] => ['O', g]), ['CN', client.user]]),
        ['extendedKeyUsage=clientAuth'],
        caCert,
        caKey,
      ),
    ),
  ]);
  const clientFiles = new Map<string, CertificateFiles>();
  clients.forEach((client, i) => clientFiles.set(client.name, issued[i]!));
  return { caCert, caKey, serving: serving!, clients: clientFiles, serviceAccountKey, serviceAccountPublicKey };
}
