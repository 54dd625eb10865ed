/**
 * Kubernetes' URL library: url(), isURL(), getScheme, getHost, getHostname, getPort, getEscapedPath, getQuery.
 * Parsing follows Go's url.ParseRequestURI for what policies test: an absolute URL (scheme://authority/path?query)
 * or an absolute path; a fragment is not allowed; the host keeps IPv6 brackets and the port as written.
 * Partial: Go's detailed parse error texts are shortened to "invalid URI for request" / "invalid URL escape".
 */
import { CelError, noSuchOverload } from '../errors.js';
import type { FunctionTable } from '../function-table.js';
import { CelType, Opaque, type Value } from '../values.js';

const URL_TYPE = new CelType('kubernetes.URL');

export class KubeUrl extends Opaque {
  readonly celType = URL_TYPE;
  constructor(readonly scheme: string, readonly host: string, readonly path: string, readonly rawQuery: string, private readonly text: string) {
    super();
  }
  equals(other: Value): boolean {
    return other instanceof KubeUrl && other.text === this.text;
  }
  get hostname(): string {
    if (this.host.startsWith('[')) {
      const end = this.host.indexOf(']');
      return end < 0 ? this.host.slice(1) : this.host.slice(1, end);
    }
    const colon = this.host.lastIndexOf(':');
    return colon < 0 ? this.host : this.host.slice(0, colon);
  }
  get port(): string {
    const colon = this.host.lastIndexOf(':');
    if (colon < 0 || this.host.indexOf(']', colon) >= 0) return '';
    const port = this.host.slice(colon + 1);
    return /^\d*$/.test(port) ? port : '';
  }
  override toString(): string {
    return this.text;
  }
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s;

function validEscapes(s: string): boolean {
  return !/%(?![0-9A-Fa-f]{2})/.test(s);
}

export function parseRequestUri(text: string): KubeUrl {
  const fail = (why = 'invalid URI for request'): never => {
    throw new CelError(`URL parse error during conversion from string: parse ${JSON.stringify(text)}: ${why}`);
  };
  if (/[\x00-\x1f\x7f ]/.test(text)) fail('invalid character in URL');
  const hash = text.indexOf('#');
  const withoutFragment = hash >= 0 ? text.slice(0, hash) : text;
  const queryAt = withoutFragment.indexOf('?');
  const rest = queryAt >= 0 ? withoutFragment.slice(0, queryAt) : withoutFragment;
  const rawQuery = queryAt >= 0 ? withoutFragment.slice(queryAt + 1) : '';
  let scheme = '';
  let host = '';
  let path: string;
  const m = SCHEME.exec(rest);
  if (m) {
    scheme = m[1]!.toLowerCase();
    const afterScheme = m[2]!;
    if (afterScheme.startsWith('//')) {
      const slash = afterScheme.indexOf('/', 2);
      const authority = slash < 0 ? afterScheme.slice(2) : afterScheme.slice(2, slash);
      path = slash < 0 ? '' : afterScheme.slice(slash);
      const at = authority.lastIndexOf('@');
      host = at < 0 ? authority : authority.slice(at + 1);
      const port = host.startsWith('[') ? host.slice(host.indexOf(']') + 1) : host.includes(':') ? host.slice(host.indexOf(':')) : '';
      if (port !== '' && !/^:\d*$/.test(port)) fail(`invalid port ${JSON.stringify(port)} after host`);
    } else {
      // Opaque or rootless forms ("mailto:x") are not request URIs unless the rest is an absolute path.
      if (!afterScheme.startsWith('/')) fail();
      path = afterScheme;
    }
  } else {
    if (!rest.startsWith('/')) fail();
    path = rest;
  }
  if (!validEscapes(path) || !validEscapes(host)) fail('invalid URL escape');
  return new KubeUrl(scheme, host, path, rawQuery, text);
}

function url(v: Value): KubeUrl {
  if (!(v instanceof KubeUrl)) throw noSuchOverload();
  return v;
}

function queryOf(u: KubeUrl): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  if (u.rawQuery === '') return out;
  for (const part of u.rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const decode = (s: string): string => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        return s;
      }
    };
    const key = decode(eq < 0 ? part : part.slice(0, eq));
    const value = decode(eq < 0 ? '' : part.slice(eq + 1));
    (out[key] ??= []).push(value);
  }
  return out;
}

const URL_RECEIVER = ['kubernetes.URL'] as const;

export const URL_LIBRARY: FunctionTable = {
  url: {
    global: {
      1: (s: Value) => {
        if (typeof s !== 'string') throw noSuchOverload();
        return parseRequestUri(s);
      },
    },
    result: 'kubernetes.URL',
  },
  isURL: {
    global: {
      1: (s: Value) => {
        if (typeof s !== 'string') throw noSuchOverload();
        try {
          parseRequestUri(s);
          return true;
        } catch {
          return false;
        }
      },
    },
    result: 'bool',
  },
  getScheme: { method: { 0: (u: Value) => url(u).scheme }, result: 'string', receivers: URL_RECEIVER },
  getHost: { method: { 0: (u: Value) => url(u).host }, result: 'string', receivers: URL_RECEIVER },
  getHostname: { method: { 0: (u: Value) => url(u).hostname }, result: 'string', receivers: URL_RECEIVER },
  getPort: { method: { 0: (u: Value) => url(u).port }, result: 'string', receivers: URL_RECEIVER },
  getEscapedPath: { method: { 0: (u: Value) => url(u).path }, result: 'string', receivers: URL_RECEIVER },
  getQuery: { method: { 0: (u: Value) => queryOf(url(u)) }, result: 'map', receivers: URL_RECEIVER },
};
