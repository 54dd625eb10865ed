/**
 * Names as the API server requires them, for names that reach generated policies from flows or from manifests the
 * API server never checked: namespaces are DNS-1123 labels, object names DNS-1123 subdomains, kinds CamelCase words.
 */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

export function isNamespaceName(name: string): boolean {
  return DNS_LABEL.test(name);
}

export function isObjectName(name: string): boolean {
  return name.length <= 253 && DNS_SUBDOMAIN.test(name);
}

export function isKindName(kind: string): boolean {
  return KIND.test(kind);
}
