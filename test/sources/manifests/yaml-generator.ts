/**
 * fast-check arbitraries for random YAML documents in the styles manifests use (and some they rarely do): block and
 * flow collections, compact and indented sequences, `- key: value` items, plain/quoted/multi-line/block scalars,
 * quoted and YAML-1.1-resolving keys, comments everywhere, tabs before comments, CRLF, document markers, and now and
 * then anchors, aliases, merge keys and tags (which the fast locator must hand over to the `yaml` package).
 * Not every rendering is valid YAML; the differential test skips the ones either parser rejects.
 */
import fc from 'fast-check';

export type GNode =
  | { t: 'scalar'; s: GScalar }
  | { t: 'map'; flow: boolean; multiline: boolean; json: boolean; inline: boolean; entries: GEntry[]; props: string; nextLine: boolean }
  | { t: 'seq'; flow: boolean; multiline: boolean; compact: boolean; inline: boolean; items: GNode[]; props: string; nextLine: boolean };

export type GScalar =
  | { style: 'plain' | 'single' | 'double' | 'alias'; text: string; props: string; nextLine: boolean }
  | { style: 'empty' }
  | { style: 'multi'; parts: string[]; quote: '' | '"' | "'" }
  | { style: 'block'; header: string; lines: string[] };

export interface GEntry {
  key: string;
  value: GNode;
  comment: string;
  before: string[];
  inlineFirst: boolean;
}

const blockPlain = fc.constantFrom(
  'x', 'hello world', 'nginx:1.2', '-1', '0755', 'yes', 'Off', '::1', 'a#b', 'http://x:80/p', '?x', '-x', '1e3', '.inf',
  'a, b', 'x]', 'k:v', '~', 'null', '0x1F', '1_000', '2001-12-14', 'a  b', 'ünïcødé', 'x\ty',
);
const flowPlain = fc.constantFrom('x', 'hello world', '-1', 'yes', 'a#b', '0x1F', 'nginx', '~', '1.5', 'ünï', 'a b');
const quoted = fc.constantFrom(
  '"q \\" x"', "'it''s'", '"a\\nb"', '"#"', "'k: v'", '"\\x41"', '""', "''", '"tab\\tx"', '"\\u00e9"', '"a, b"', "'[x]'",
);
const plainKey = fc.constantFrom(
  'a', 'b', 'name', 'image', 'b-c', 'app.kubernetes.io/name', 'on', 'yes', 'NO', 'y', '0x10', '1.5', '007', '1_0',
  'key with spaces', 'http://x', '~', 'true', '-k', '?k', ':k', 'k#x', 'é', 'a', 'b', 'name', 'c', 'd', 'e',
);
const quotedKey = fc.constantFrom(
  "'single'", "'it''s'", '"double"', '"esc\\"aped"', '"tab\\tk"', '"\\x41"', '"a: b"', '"u\\u0041"', "'#c'", '""',
  '"a"', "'b'", '"k:{\\"uid\\":\\"1\\"}"', '"\\/"',
);
const flowKey = fc.constantFrom('a', 'b', 'on', '0x10', 'key with spaces', '"q"', "'s'", '"a"', '"es\\"c"', 'name');
const comment = fc.constantFrom('', '', '', ' # c', '  # c: d', '\t# tab', ' #');
const props = fc.oneof(
  { weight: 30, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('&a0', '&a1', '!!str', '!foo', '&a2 !bar') },
);
const blockLine = fc.constantFrom('text', '# not a comment', '- not an item', 'k: v', '', '  more indented', '"q', '---x');
const blockHeader = fc.constantFrom('|', '|-', '|+', '>', '>-', '|2', '>2-', '| # c');

const scalar: fc.Arbitrary<GScalar> = fc.oneof(
  { weight: 60, arbitrary: fc.record({ style: fc.constant('plain' as const), text: blockPlain, props, nextLine: fc.boolean() }) },
  { weight: 30, arbitrary: fc.record({ style: fc.constantFrom('single' as const, 'double' as const), text: quoted, props, nextLine: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ style: fc.constant('alias' as const), text: fc.constantFrom('*a0', '*a1'), props: fc.constant(''), nextLine: fc.constant(false) }) },
  { weight: 20, arbitrary: fc.record({ style: fc.constant('empty' as const) }) },
  {
    weight: 10,
    arbitrary: fc.record({
      style: fc.constant('multi' as const),
      parts: fc.array(fc.constantFrom('first', 'second part', 'x', 'end'), { minLength: 2, maxLength: 3 }),
      quote: fc.constantFrom('' as const, '"' as const, "'" as const),
    }),
  },
  {
    weight: 20,
    arbitrary: fc.record({
      style: fc.constant('block' as const),
      header: blockHeader,
      lines: fc.array(blockLine, { minLength: 0, maxLength: 4 }).map((l) => ['text', ...l]),
    }),
  },
);

const { node } = fc.letrec<{ node: GNode; entry: GEntry }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 4, depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: scalar.map((s) => ({ t: 'scalar' as const, s })) },
    {
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant('map' as const),
        flow: fc.boolean(),
        multiline: fc.boolean(),
        json: fc.boolean(),
        inline: fc.boolean(),
        entries: fc.array(tie('entry') as fc.Arbitrary<GEntry>, { maxLength: 4 }),
        props,
        nextLine: fc.boolean(),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant('seq' as const),
        flow: fc.boolean(),
        multiline: fc.boolean(),
        compact: fc.boolean(),
        inline: fc.boolean(),
        items: fc.array(tie('node') as fc.Arbitrary<GNode>, { maxLength: 4 }),
        props,
        nextLine: fc.boolean(),
      }),
    },
  ),
  entry: fc.record({
    key: fc.oneof({ weight: 40, arbitrary: plainKey }, { weight: 10, arbitrary: quotedKey }, { weight: 1, arbitrary: fc.constant('<<') }),
    value: tie('node') as fc.Arbitrary<GNode>,
    comment,
    before: fc.array(fc.tuple(fc.nat(8), comment).map(([n, c]) => (c.trim() === '' ? '' : ' '.repeat(n) + c.trim())), { maxLength: 1 }),
    inlineFirst: fc.boolean(),
  }),
}));

function pad(n: number): string {
  return ' '.repeat(n);
}

function flowScalar(s: GScalar): string {
  switch (s.style) {
    case 'plain':
      return s.text.replace(/[,[\]{}:#]/g, '').trim() || 'x';
    case 'single':
    case 'double':
    case 'alias':
      return s.text;
    case 'empty':
      return '~';
    case 'multi':
      return 'x';
    case 'block':
      return '"b"';
  }
}

function renderFlow(n: GNode, indent: number, top: boolean): string {
  if (n.t === 'scalar') return flowScalar(n.s);
  const open = n.t === 'map' ? '{' : '[';
  const close = n.t === 'map' ? '}' : ']';
  const parts =
    n.t === 'map'
      ? n.entries.map((e) => {
          const k = /^[A-Za-z"']/.test(e.key) && !e.key.includes(':') ? e.key : 'k';
          const key = n.json ? JSON.stringify(k.replace(/^["']|["']$/g, '')) : k;
          return `${key}:${n.json ? '' : ' '}${renderFlow(e.value, indent + 2, false)}`;
        })
      : n.items.map((i) => renderFlow(i, indent + 2, false));
  if (parts.length === 0) return open + close;
  if (n.multiline && top) return `${open}\n${parts.map((p) => pad(indent + 2) + p).join(',\n')}\n${pad(indent + 1)}${close}`;
  return `${open}${parts.join(', ')}${close}`;
}

/** Text after `key: ` or `- ` (first line) and the following lines, for everything but block collections. */
function inline(n: GNode, indent: number): { head: string; rest: string[] } {
  if (n.t !== 'scalar') {
    const lines = renderFlow(n, indent, true).split('\n');
    return { head: (n.props ? `${n.props} ` : '') + lines[0]!, rest: lines.slice(1) };
  }
  const s = n.s;
  switch (s.style) {
    case 'plain':
    case 'single':
    case 'double':
    case 'alias':
      return { head: (s.style !== 'alias' && s.props ? `${s.props} ` : '') + s.text, rest: [] };
    case 'empty':
      return { head: '', rest: [] };
    case 'multi': {
      const q = s.quote;
      return {
        head: q + s.parts[0],
        rest: s.parts.slice(1).map((p, i) => pad(indent + 2) + p + (i === s.parts.length - 2 ? q : '')),
      };
    }
    case 'block':
      return { head: s.header, rest: s.lines.map((l) => (l === '' ? '' : pad(indent + 2) + l)) };
  }
}

function isBlockCollection(n: GNode): boolean {
  return n.t !== 'scalar' && !n.flow && (n.t === 'map' ? n.entries.length > 0 : n.items.length > 0);
}

function renderMap(entries: GEntry[], indent: number, step: number): string[] {
  const lines: string[] = [];
  for (const e of entries) {
    for (const b of e.before) if (b) lines.push(b);
    const keyPart = pad(indent) + e.key + ':';
    const v = e.value;
    if (isBlockCollection(v)) {
      const p = v.t !== 'scalar' && v.props ? ` ${v.props}` : '';
      lines.push(keyPart + p + e.comment);
      lines.push(...renderBlock(v, v.t === 'seq' && v.compact ? indent : indent + step, step));
      continue;
    }
    const { head, rest } = inline(v, indent);
    const nextLine = (v.t === 'scalar' && 'nextLine' in v.s && v.s.nextLine) || (v.t !== 'scalar' && v.nextLine);
    if (head === '') lines.push(keyPart + e.comment);
    else if (nextLine && rest.length === 0) {
      lines.push(keyPart + e.comment);
      lines.push(pad(indent + step) + head);
    } else lines.push(`${keyPart} ${head}${rest.length === 0 || head.startsWith('|') || head.startsWith('>') ? e.comment : ''}`);
    lines.push(...rest);
  }
  return lines;
}

function renderSeq(items: GNode[], indent: number, step: number): string[] {
  const lines: string[] = [];
  for (const item of items) {
    const dash = `${pad(indent)}-`;
    if (isBlockCollection(item) && item.t !== 'scalar') {
      const inner = renderBlock(item, indent + 2, step);
      if (item.inline && !item.props && inner[0]!.startsWith(pad(indent + 2)) && inner[0]!.trim() !== '') {
        lines.push(`${dash} ${inner[0]!.slice(indent + 2)}`);
        lines.push(...inner.slice(1));
      } else {
        lines.push(dash + (item.props ? ` ${item.props}` : ''));
        lines.push(...inner);
      }
      continue;
    }
    const { head, rest } = inline(item, indent);
    lines.push(head === '' ? dash : `${dash} ${head}`);
    lines.push(...rest);
  }
  return lines;
}

function renderBlock(n: GNode, indent: number, step: number): string[] {
  if (n.t === 'map') return renderMap(n.entries, indent, step);
  if (n.t === 'seq') return renderSeq(n.items, indent, step);
  return [];
}

/** Random documents whose root is a mapping (block, or flow for JSON-like text). */
export const yamlDocument: fc.Arbitrary<string> = fc
  .record({
    entries: fc.array(node.chain((value) => fc.record({ key: plainKey, value: fc.constant(value), comment, before: fc.constant([] as string[]), inlineFirst: fc.constant(false) })), { minLength: 1, maxLength: 5 }),
    flowRoot: fc.nat(9).map((n) => n === 0),
    json: fc.boolean(),
    step: fc.constantFrom(2, 2, 2, 4, 1),
    header: fc.constantFrom('', '', '---\n', '# top comment\n', '---   # c\n', '%YAML 1.1\n---\n'),
    footer: fc.constantFrom('', '', '...\n', '# trailing\n'),
    crlf: fc.nat(9).map((n) => n === 0),
  })
  .map(({ entries, flowRoot, json, step, header, footer, crlf }) => {
    const body = flowRoot
      ? renderFlow({ t: 'map', flow: true, multiline: true, json, inline: false, entries, props: '', nextLine: false }, 0, true)
      : renderMap(entries, 0, step).join('\n');
    const text = `${header}${body}\n${footer}`;
    return crlf ? text.replace(/\n/g, '\r\n') : text;
  });
