/**
 * Certificates for the webhook (`aspis webhook certs`): a CA and a serving certificate it signs for the Service
 * DNS names the apiserver calls (`<service>.<namespace>.svc` and the longer forms), plus any extra names or IP
 * addresses. ECDSA P-256 keys through WebCrypto and @peculiar/x509; PEM out. The CA certificate is the webhook
 * configuration's caBundle.
 */
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface WebhookCertificates {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

export interface CertificateOptions {
  service: string;
  namespace: string;
  /** More DNS names or IP addresses (e.g. 127.0.0.1 for a webhook the apiserver calls by URL). */
  extraNames?: string[];
  /** Validity in days (default 365). */
  days?: number;
  now?: Date;
}

/** The DNS names the apiserver may use for a Service. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

function pemKey(der: ArrayBuffer): string {
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function randomSerial(): string {
  // Positive 16-byte serial (high bit clear).
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0]! &= 0x7f;
  return Buffer.from(bytes).toString('hex');
}

export async function createWebhookCertificates(options: CertificateOptions): Promise<WebhookCertificates> {
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - 5 * 60_000); // clock skew between nodes
  const notAfter = new Date(now.getTime() + (options.days ?? 365) * 86_400_000);
  const caKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=aspis-webhook-ca.${options.namespace}`,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const names = [...serviceDnsNames(options.service, options.namespace), ...(options.extraNames ?? [])];
  const altNames = names.map((name) => (isIP(name) ? { type: 'ip' as const, value: name } : { type: 'dns' as const, value: name }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${options.service}.${options.namespace}.svc`,
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(altNames),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  return {
    caCert: ca.toString('pem'),
    caKey: pemKey(await webcrypto.subtle.exportKey('pkcs8', caKeys.privateKey as unknown as webcrypto.CryptoKey)),
    cert: cert.toString('pem'),
    key: pemKey(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey)),
  };
}
