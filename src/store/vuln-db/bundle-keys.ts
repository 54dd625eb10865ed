/**
 * ed25519 keys for database bundles, as PEM (PKCS#8 private, SPKI public): the format `openssl genpkey -algorithm
 * ed25519` writes, so keys made elsewhere work too. A key's id is the sha256 of its public key (SPKI DER).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BundleError } from './bundle-format.js';

export function keyId(publicKey: KeyObject): string {
  return `sha256:${createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex')}`;
}

/** A PEM text or the path of a PEM file: `where` names it in errors. */
function pemText(source: string): { pem: string; where: string } {
  if (source.trimStart().startsWith('-----BEGIN')) return { pem: source, where: 'the key given inline' };
  try {
    return { pem: readFileSync(source, 'utf8'), where: source };
  } catch (error) {
    throw new BundleError(`${source}: cannot read the key: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The private key that signs bundles. */
export function loadSigningKey(source: string): KeyObject {
  const { pem, where } = pemText(source);
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new BundleError(`${where}: not a PEM private key (${(error as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new BundleError(`${where}: a ${key.asymmetricKeyType} key; bundles are signed with ed25519 keys (aspis db keygen)`);
  return key;
}

/** The trusted public key that verifies bundles (a private key PEM is accepted too: its public half is used). */
export function loadVerifyingKey(source: string): KeyObject {
  const { pem, where } = pemText(source);
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new BundleError(`${where}: not a PEM public key (${(error as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new BundleError(`${where}: a ${key.asymmetricKeyType} key; bundles are verified with ed25519 keys`);
  return key;
}

export function generateBundleKeyPair(): { privateKeyPem: string; publicKeyPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyId(publicKey),
  };
}
