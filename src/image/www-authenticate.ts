/**
 * WWW-Authenticate challenges (RFC 7235) as registries send them: `Bearer realm="…",service="…",scope="…"` for the
 * Docker token protocol, `Basic realm="…"` for htpasswd-protected registries. Quoted values may contain commas.
 */
export interface AuthChallenge {
  /** Lower-case scheme: "bearer", "basic", … */
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  const token = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*))?\s*,?/y;
  let position = 0;
  while (position < header.length) {
    token.lastIndex = position;
    const match = token.exec(header);
    if (!match || match[0] === '') break;
    position = token.lastIndex;
    const [, name, rawValue] = match;
    if (rawValue === undefined) {
      challenges.push({ scheme: name!.toLowerCase(), params: {} });
      continue;
    }
    const value = rawValue.startsWith('"') ? rawValue.slice(1, -1).replace(/\\(.)/g, '$1') : rawValue;
    const current = challenges.at(-1);
    if (current) current.params[name!.toLowerCase()] = value;
  }
  return challenges;
}
