/** A self-contained kubeconfig (certificates embedded), so a test can hand it to any client or subprocess. */
import { stringify } from 'yaml';

export interface KubeconfigCredentials {
  /** PEM client certificate and key, for certificate users. */
  clientCertificate?: string;
  clientKey?: string;
  /** Bearer token, for token users. */
  token?: string;
}

export function renderKubeconfig(server: string, caCertPem: string, userName: string, credentials: KubeconfigCredentials): string {
  const base64 = (text: string) => Buffer.from(text).toString('base64');
  const user: Record<string, string> = {};
  if (credentials.clientCertificate) user['client-certificate-data'] = base64(credentials.clientCertificate);
  if (credentials.clientKey) user['client-key-data'] = base64(credentials.clientKey);
  if (credentials.token) user.token = credentials.token;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'aspis-test', cluster: { server, 'certificate-authority-data': base64(caCertPem) } }],
    users: [{ name: userName, user }],
    contexts: [{ name: `${userName}@aspis-test`, context: { cluster: 'aspis-test', user: userName } }],
    'current-context': `${userName}@aspis-test`,
  });
}
