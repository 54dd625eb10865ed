/**
 * CEL parser: text → {@link Node}, following the CEL language definition (cel-spec langdef.md) and cel-go's parser
 * options that Kubernetes enables: optional syntax (`a.?b`, `a[?i]`, `[?x]`, `{?k: v}`), the standard macros and
 * the two-variable comprehensions. Errors are {@link CelCompileError}s carrying the offset of the offending token.
 */
import type { ComprehensionMacro, MapEntry, Node } from './ast.js';
import { CelCompileError } from './errors.js';
import { CelUint } from './values.js';

type TokenKind = 'int' | 'uint' | 'double' | 'string' | 'bytes' | 'ident' | 'punct' | 'eof';

interface Token {
  kind: TokenKind;
  text: string;
  value?: unknown;
  pos: number;
}

const RESERVED = new Set([
  'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace',
  'return', 'var', 'void', 'while',
]);

const PUNCTUATION = ['==', '!=', '<=', '>=', '&&', '||', '.?', '[?', '<', '>', '!', '+', '-', '*', '/', '%', '?', ':', '.', ',', '(', ')', '[', ']', '{', '}'];

const MAX_DEPTH = 250;
const INT64_MAX = 9223372036854775807n;
const UINT64_MAX = 18446744073709551615n;

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const start = i;
    // String and bytes literals, with optional r/R (raw) and b/B (bytes) prefixes in either order.
    let prefixEnd = i;
    let raw = false;
    let bytes = false;
    for (let k = 0; k < 2; k++) {
      const p = text[prefixEnd];
      if ((p === 'r' || p === 'R') && !raw) raw = true;
      else if ((p === 'b' || p === 'B') && !bytes) bytes = true;
      else break;
      prefixEnd++;
    }
    const quote = text[prefixEnd];
    if (quote === '"' || quote === "'") {
      const { value, end } = readString(text, prefixEnd, raw, bytes);
      tokens.push({ kind: bytes ? 'bytes' : 'string', text: text.slice(start, end), value, pos: start });
      i = end;
      continue;
    }
    if (isIdentStart(c)) {
      while (i < text.length && (isIdentStart(text[i]!) || isDigit(text[i]!))) i++;
      tokens.push({ kind: 'ident', text: text.slice(start, i), pos: start });
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? ''))) {
      tokens.push(readNumber(text, i));
      i = start + tokens[tokens.length - 1]!.text.length;
      continue;
    }
    const punct = PUNCTUATION.find((p) => text.startsWith(p, i));
    if (!punct) throw new CelCompileError(`Syntax error: token recognition error at: '${c}'`, i);
    tokens.push({ kind: 'punct', text: punct, pos: i });
    i += punct.length;
  }
  tokens.push({ kind: 'eof', text: '<EOF>', pos: text.length });
  return tokens;
}

function readNumber(text: string, start: number): Token {
  let i = start;
  if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
    i += 2;
    while (/[0-9a-fA-F]/.test(text[i] ?? '')) i++;
    const digits = text.slice(start, i);
    if (text[i] === 'u' || text[i] === 'U') {
      const value = BigInt(digits);
      if (value > UINT64_MAX) throw new CelCompileError(`invalid uint literal`, start);
      return { kind: 'uint', text: text.slice(start, i + 1), value: new CelUint(value), pos: start };
    }
    return { kind: 'int', text: digits, value: BigInt(digits), pos: start };
  }
  while (isDigit(text[i] ?? '')) i++;
  let isDouble = false;
  if (text[i] === '.' && isDigit(text[i + 1] ?? '')) {
    isDouble = true;
    i++;
    while (isDigit(text[i] ?? '')) i++;
  }
  if ((text[i] === 'e' || text[i] === 'E') && (isDigit(text[i + 1] ?? '') || ((text[i + 1] === '+' || text[i + 1] === '-') && isDigit(text[i + 2] ?? '')))) {
    isDouble = true;
    i += 2;
    while (isDigit(text[i] ?? '')) i++;
  }
  const digits = text.slice(start, i);
  if (isDouble) return { kind: 'double', text: digits, value: Number(digits), pos: start };
  if (text[i] === 'u' || text[i] === 'U') {
    const value = BigInt(digits);
    if (value > UINT64_MAX) throw new CelCompileError(`invalid uint literal`, start);
    return { kind: 'uint', text: text.slice(start, i + 1), value: new CelUint(value), pos: start };
  }
  return { kind: 'int', text: digits, value: BigInt(digits), pos: start };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"', '`': '`', '?': '?',
};

function readString(text: string, quoteAt: number, raw: boolean, bytes: boolean): { value: unknown; end: number } {
  const quote = text[quoteAt]!;
  const triple = text.startsWith(quote.repeat(3), quoteAt);
  const delimiter = triple ? quote.repeat(3) : quote;
  let i = quoteAt + delimiter.length;
  // Code points for strings; byte values for bytes literals (escapes there are raw bytes).
  const units: number[] = [];
  const pushText = (s: string): void => {
    if (bytes) for (const b of Buffer.from(s, 'utf8')) units.push(b);
    else for (const ch of s) units.push(ch.codePointAt(0)!);
  };
  for (;;) {
    if (i >= text.length) throw new CelCompileError('Syntax error: unterminated string literal', quoteAt);
    if (text.startsWith(delimiter, i)) {
      i += delimiter.length;
      break;
    }
    const c = text[i]!;
    if (!triple && (c === '\n' || c === '\r')) throw new CelCompileError('Syntax error: newline in string literal', i);
    if (c !== '\\' || raw) {
      const cp = text.codePointAt(i)!;
      pushText(String.fromCodePoint(cp));
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) throw new CelCompileError('Syntax error: unterminated escape sequence', i);
    if (SIMPLE_ESCAPES[e] !== undefined) {
      pushText(SIMPLE_ESCAPES[e]!);
      i += 2;
    } else if (e === 'x' || e === 'X' || e === 'u' || e === 'U') {
      const width = e === 'x' || e === 'X' ? 2 : e === 'u' ? 4 : 8;
      const hex = text.slice(i + 2, i + 2 + width);
      if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) throw new CelCompileError(`Syntax error: invalid escape sequence`, i);
      const code = parseInt(hex, 16);
      if (bytes && width === 2) units.push(code);
      else if (bytes) throw new CelCompileError(`Syntax error: unicode escape in bytes literal`, i);
      else {
        if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new CelCompileError(`Syntax error: invalid unicode code point`, i);
        units.push(code);
      }
      i += 2 + width;
    } else if (e >= '0' && e <= '3') {
      const oct = text.slice(i + 1, i + 4);
      if (!/^[0-3][0-7][0-7]$/.test(oct)) throw new CelCompileError(`Syntax error: invalid octal escape`, i);
      units.push(parseInt(oct, 8));
      i += 4;
    } else {
      throw new CelCompileError(`Syntax error: invalid escape sequence '\\${e}'`, i);
    }
  }
  if (bytes) return { value: Uint8Array.from(units), end: i };
  return { value: String.fromCodePoint(...units), end: i };
}

/** Macros recognised by name and argument count (receiver-style), as cel-go's standard + two-var macro sets. */
const RECEIVER_MACROS: Record<string, { macro: ComprehensionMacro; arities: number[] }> = {
  all: { macro: 'all', arities: [2, 3] },
  exists: { macro: 'exists', arities: [2, 3] },
  exists_one: { macro: 'existsOne', arities: [2] },
  existsOne: { macro: 'existsOne', arities: [3] },
  map: { macro: 'map', arities: [2, 3] },
  filter: { macro: 'filter', arities: [2] },
  transformList: { macro: 'transformList', arities: [3, 4] },
  transformMap: { macro: 'transformMap', arities: [3, 4] },
  transformMapEntry: { macro: 'transformMapEntry', arities: [3, 4] },
  sortBy: { macro: 'sortBy', arities: [2] },
  optMap: { macro: 'optMap', arities: [2] },
  optFlatMap: { macro: 'optFlatMap', arities: [2] },
};

class Parser {
  private index = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    return token;
  }
  private isPunct(text: string): boolean {
    const token = this.peek();
    return token.kind === 'punct' && token.text === text;
  }
  private accept(text: string): boolean {
    if (this.isPunct(text)) {
      this.index++;
      return true;
    }
    return false;
  }
  private expect(text: string): Token {
    const token = this.peek();
    if (token.kind === 'punct' && token.text === text) return this.next();
    throw this.unexpected(`expecting '${text}'`);
  }
  private unexpected(expecting?: string): CelCompileError {
    const token = this.peek();
    const what = token.kind === 'eof' ? 'input <EOF>' : `input '${token.text}'`;
    return new CelCompileError(`Syntax error: mismatched ${what}${expecting ? ` ${expecting}` : ''}`, token.pos);
  }

  parseAll(): Node {
    const node = this.expr();
    if (this.peek().kind !== 'eof') throw this.unexpected('expecting <EOF>');
    return node;
  }

  private expr(): Node {
    if (++this.depth > MAX_DEPTH) throw new CelCompileError('expression recursion limit exceeded', this.peek().pos);
    try {
      const condition = this.or();
      if (!this.isPunct('?')) return condition;
      const pos = this.next().pos;
      const then = this.or();
      this.expect(':');
      const otherwise = this.expr();
      return { kind: 'conditional', condition, then, otherwise, pos };
    } finally {
      this.depth--;
    }
  }

  private or(): Node {
    let left = this.and();
    while (this.isPunct('||')) {
      const pos = this.next().pos;
      left = { kind: 'or', left, right: this.and(), pos };
    }
    return left;
  }

  private and(): Node {
    let left = this.relation();
    while (this.isPunct('&&')) {
      const pos = this.next().pos;
      left = { kind: 'and', left, right: this.relation(), pos };
    }
    return left;
  }

  private relation(): Node {
    let left = this.addition();
    for (;;) {
      const token = this.peek();
      const op =
        token.kind === 'punct' && ['<', '<=', '>', '>=', '==', '!='].includes(token.text)
          ? token.text
          : token.kind === 'ident' && token.text === 'in'
            ? 'in'
            : undefined;
      if (!op) return left;
      this.next();
      left = { kind: 'call', name: op === 'in' ? '@in' : `_${op}_`, target: undefined, args: [left, this.addition()], pos: token.pos };
    }
  }

  private addition(): Node {
    let left = this.multiplication();
    while (this.isPunct('+') || this.isPunct('-')) {
      const token = this.next();
      left = { kind: 'call', name: `_${token.text}_`, target: undefined, args: [left, this.multiplication()], pos: token.pos };
    }
    return left;
  }

  private multiplication(): Node {
    let left = this.unary();
    while (this.isPunct('*') || this.isPunct('/') || this.isPunct('%')) {
      const token = this.next();
      left = { kind: 'call', name: `_${token.text}_`, target: undefined, args: [left, this.unary()], pos: token.pos };
    }
    return left;
  }

  private unary(): Node {
    // cel-go: a run of the same prefix operator cancels in pairs (`!!x` is x, `--x` is x); `-` before a number
    // literal is part of the literal, so -9223372036854775808 is valid although its magnitude alone is not.
    for (const op of ['!', '-'] as const) {
      if (!this.isPunct(op)) continue;
      const pos = this.peek().pos;
      let count = 0;
      while (this.isPunct(op)) {
        this.next();
        count++;
      }
      const token = this.peek();
      if (op === '-' && count % 2 === 1 && (token.kind === 'int' || token.kind === 'double') && this.isPostfixFree(1)) {
        this.next();
        if (token.kind === 'double') return this.member({ kind: 'literal', value: -(token.value as number), pos });
        const value = -(token.value as bigint);
        if (value < -INT64_MAX - 1n) throw new CelCompileError('invalid int literal', token.pos);
        return this.member({ kind: 'literal', value, pos });
      }
      const operand = this.member(this.primary());
      return count % 2 === 0 ? operand : { kind: 'call', name: op === '!' ? '!_' : '-_', target: undefined, args: [operand], pos };
    }
    return this.member(this.primary());
  }

  /** True when the token `offset` ahead does not start a member suffix (so `-1.x` is not folded into a literal). */
  private isPostfixFree(offset: number): boolean {
    const token = this.peek(offset);
    return !(token.kind === 'punct' && ['.', '.?', '[', '[?'].includes(token.text));
  }

  private member(start: Node): Node {
    let node = start;
    for (;;) {
      if (this.isPunct('.') || this.isPunct('.?')) {
        const dot = this.next();
        const name = this.peek();
        if (name.kind !== 'ident') throw this.unexpected('expecting IDENTIFIER');
        this.next();
        if (dot.text === '.?') {
          node = { kind: 'select', operand: node, field: name.text, optional: true, pos: dot.pos };
        } else if (this.isPunct('(')) {
          this.next();
          const args = this.exprList(')');
          node = this.receiverCall(node, name, args);
        } else {
          node = { kind: 'select', operand: node, field: name.text, optional: false, pos: dot.pos };
        }
      } else if (this.isPunct('[') || this.isPunct('[?')) {
        const open = this.next();
        const index = this.expr();
        this.expect(']');
        node = { kind: 'index', operand: node, index, optional: open.text === '[?', pos: open.pos };
      } else if (this.isPunct('{') && isQualifiedName(node)) {
        throw new CelCompileError('message construction is not supported', this.peek().pos);
      } else {
        return node;
      }
    }
  }

  private receiverCall(target: Node, name: Token, args: Node[]): Node {
    const macro = RECEIVER_MACROS[name.text];
    if (macro && macro.arities.includes(args.length)) {
      const varCount = ['transformList', 'transformMap', 'transformMapEntry'].includes(macro.macro) || (args.length === 3 && ['all', 'exists', 'existsOne'].includes(macro.macro)) ? 2 : 1;
      const vars = args.slice(0, varCount).map((arg) => {
        if (arg.kind !== 'ident') throw new CelCompileError(`${name.text}() variable name must be a simple identifier`, arg.pos);
        return arg.name;
      });
      if (varCount === 2 && vars[0] === vars[1]) throw new CelCompileError(`${name.text}() second variable must be different from the first variable`, args[1]!.pos);
      for (const v of vars) if (v === '__result__') throw new CelCompileError(`${name.text}() variable name cannot be __result__`, name.pos);
      return { kind: 'comprehension', macro: macro.macro, range: target, vars, body: args.slice(varCount), pos: name.pos };
    }
    return { kind: 'call', name: name.text, target, args, pos: name.pos };
  }

  private exprList(close: string): Node[] {
    const args: Node[] = [];
    if (this.accept(close)) return args;
    for (;;) {
      args.push(this.expr());
      if (this.accept(close)) return args;
      this.expect(',');
    }
  }

  private primary(): Node {
    const token = this.peek();
    switch (token.kind) {
      case 'int':
        this.next();
        if ((token.value as bigint) > INT64_MAX) throw new CelCompileError('invalid int literal', token.pos);
        return { kind: 'literal', value: token.value, pos: token.pos };
      case 'uint':
      case 'double':
      case 'string':
      case 'bytes':
        this.next();
        return { kind: 'literal', value: token.value, pos: token.pos };
      case 'ident':
        return this.identOrCall();
      case 'punct':
        break;
      default:
        throw this.unexpected();
    }
    if (token.text === '.') {
      // Leading-dot (root-scoped) identifier.
      this.next();
      const name = this.peek();
      if (name.kind !== 'ident') throw this.unexpected('expecting IDENTIFIER');
      return this.identOrCall();
    }
    if (token.text === '(') {
      this.next();
      const inner = this.expr();
      this.expect(')');
      return inner;
    }
    if (token.text === '[' || token.text === '[?') {
      // The lexer reads "[?" as one token; at the start of a list literal it opens the list with an optional element.
      this.next();
      const elements: Node[] = [];
      const optional: boolean[] = [];
      let firstOptional = token.text === '[?';
      while (firstOptional || !this.isPunct(']')) {
        optional.push(firstOptional || this.accept('?'));
        firstOptional = false;
        elements.push(this.expr());
        if (!this.accept(',')) break;
      }
      this.expect(']');
      return { kind: 'list', elements, optional, pos: token.pos };
    }
    if (token.text === '{') {
      this.next();
      const entries: MapEntry[] = [];
      while (!this.isPunct('}')) {
        const opt = this.accept('?');
        const key = this.expr();
        this.expect(':');
        entries.push({ key, value: this.expr(), optional: opt });
        if (!this.accept(',')) break;
      }
      this.expect('}');
      return { kind: 'map', entries, pos: token.pos };
    }
    throw this.unexpected();
  }

  private identOrCall(): Node {
    const token = this.next();
    const name = token.text;
    if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true', pos: token.pos };
    if (name === 'null') return { kind: 'literal', value: null, pos: token.pos };
    if (RESERVED.has(name) || name === 'in') throw new CelCompileError(`Syntax error: reserved identifier: ${name}`, token.pos);
    if (!this.isPunct('(')) return { kind: 'ident', name, pos: token.pos };
    this.next();
    const args = this.exprList(')');
    if (name === 'has') {
      const arg = args[0];
      if (args.length !== 1 || !arg || arg.kind !== 'select' || arg.optional) {
        throw new CelCompileError('invalid argument to has() macro', arg?.pos ?? token.pos);
      }
      return { kind: 'has', operand: arg.operand, field: arg.field, pos: token.pos };
    }
    return { kind: 'call', name, target: undefined, args, pos: token.pos };
  }
}

function isQualifiedName(node: Node): boolean {
  return node.kind === 'ident' || (node.kind === 'select' && !node.optional && isQualifiedName(node.operand));
}

/** Parses one CEL expression; throws {@link CelCompileError} with the offset of the problem. */
export function parseCel(text: string): Node {
  return new Parser(tokenize(text)).parseAll();
}
