/**
 * A hand-written position scanner for the YAML that Kubernetes manifests are made of.
 *
 * Why hand-written: js-yaml (fast, used for values) exposes no positions, and the `yaml` package, which does, runs
 * its CST parser at ~1.6 MB/s here, too slow to parse every document of a 10,000-object scan in the time budget.
 * Positions are only needed for the few objects that have findings, but each of those still needs a parse, so this
 * scanner reads block-style YAML line by line, using indentation only, at a few hundred MB/s, and understands:
 *
 * - block mappings with plain, single-quoted and double-quoted (escape-free) keys, block sequences (including the
 *   compact `key:\n- item` form and `- key: value` items), comments, blank lines, `---`/`...`/`%` lines;
 * - plain scalars (also over several lines), quoted scalars (also over several lines), block scalars `|` and `>`
 *   (whose content lines are skipped);
 * - flow collections `[...]`/`{...}` on one or several lines, hence JSON documents too.
 *
 * Anything else (anchors, aliases, tags, `?` complex keys, `<<` merge keys, escapes in keys, tabs in indentation,
 * flow keys, implicit pairs in flow sequences, plain scalars with `:` inside flow collections…) makes it give up, and
 * the caller falls back to the `yaml` package for that document only. A differential test compares both on corpora
 * and on generated documents.
 *
 * It also records where each scalar is written, so that fast-values.ts can decode the document from the same read
 * (js-yaml is then not needed); what it reads correctly for positions but not for values (multi-line and block
 * scalars, duplicate keys, directives…) clears `valuesKnown` and the values come from js-yaml
 * (test/sources/manifests/fast-values-differential.test.ts compares them).
 */
import { decodeJsonEscapes } from './fast-values.js';
import { plainKeyToString } from './yaml-schema.js';
import { DOUBLE_QUOTED, PLAIN, SINGLE_QUOTED } from './position-tree.js';
import type { PosNode } from './position-tree.js';

class Unsupported {}

/** A key's escapes: those YAML shares with JSON are decoded, YAML-only ones (\x, \e, \N…) are not handled. */
function jsonEscapes(raw: string): string {
  return decodeJsonEscapes(raw) ?? bail();
}

const UNSUPPORTED = new Unsupported();
function bail(): never {
  throw UNSUPPORTED;
}

interface Frame {
  col: number;
  seq: boolean;
  node: PosNode;
}

interface Pending {
  col: number;
  node: PosNode;
  mapValue: boolean;
}

interface Key {
  key: string;
  /** Offset just after the `:`. */
  end: number;
}

const SP = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const HASH = 35;

class Scanner {
  private readonly n: number;
  private readonly stack: Frame[] = [];
  private pending: Pending | null = null;
  /** Start of the line being read. */
  private ls = 0;
  /**
   * False once the document uses something the positions are right for but the scalar spans cannot decode
   * (multi-line scalars, block scalars, duplicate keys…): values then come from js-yaml.
   */
  valuesKnown = true;

  constructor(private readonly s: string) {
    this.n = s.length;
  }

  run(): PosNode | null {
    const s = this.s;
    const n = this.n;
    const stack = this.stack;
    let root: PosNode | null = null;
    let i = 0;
    while (i < n) {
      this.ls = i;
      let le = s.indexOf('\n', i);
      if (le < 0) le = n;
      const next = le + 1;
      const eol = le > i && s.charCodeAt(le - 1) === CR ? le - 1 : le;
      let p = i;
      while (p < eol && s.charCodeAt(p) === SP) p++;
      if (p === eol) {
        i = next;
        continue;
      }
      const c = s.charCodeAt(p);
      if (c === HASH) {
        i = next;
        continue;
      }
      if (c === TAB) {
        if (this.blankOrComment(p, eol)) {
          i = next;
          continue;
        }
        bail();
      }
      const ind = p - i;
      if (ind === 0) {
        if (c === 45 /* - */ && this.marker(p, 45)) {
          if (root !== null) bail();
          const q = this.spaces(p + 3, eol);
          if (q === eol || s.charCodeAt(q) === HASH) {
            i = next;
            continue;
          }
          const v = s.charCodeAt(q);
          if (v !== 91 && v !== 123) bail();
          root = { off: q };
          i = this.value(q, root, -1, eol);
          continue;
        }
        if (c === 46 /* . */ && this.marker(p, 46)) break;
        if (c === 37 /* % */ && root === null) {
          this.valuesKnown = false;
          i = next;
          continue;
        }
      }
      const pd = this.pending;
      if (pd !== null) {
        this.pending = null;
        if (ind > pd.col || (ind === pd.col && pd.mapValue && this.dash(p, eol))) {
          i = this.nodeStart(p, pd.node, pd.col, eol);
          continue;
        }
        // An empty sequence item, then a less indented line: the item is null and its sequence ends here, as YAML and
        // Kubernetes (go-yaml) read it. js-yaml does not (it appends the outer sequence's next items to the inner one,
        // see js-yaml-nesting.ts), so these values are the scanner's, never js-yaml's.
      }
      while (stack.length > 0 && stack[stack.length - 1]!.col > ind) stack.pop();
      if (stack.length === 0) {
        if (root !== null) bail();
        root = { off: p };
        i = this.nodeStart(p, root, -1, eol);
        continue;
      }
      let top = stack[stack.length - 1]!;
      if (top.col !== ind) bail();
      const dash = this.dash(p, eol);
      if (top.seq && !dash) {
        stack.pop();
        top = stack[stack.length - 1]!;
        if (top === undefined || top.col !== ind || top.seq) bail();
      }
      if (top.seq) i = this.seqItem(p, top, eol);
      else if (dash) bail();
      else i = this.mapEntry(p, top, eol, null);
    }
    return root;
  }

  /** A node that starts at `p`: block sequence, block mapping, or a scalar/flow value. */
  private nodeStart(p: number, holder: PosNode, parentIndent: number, eol: number): number {
    if (this.dash(p, eol)) {
      holder.seq = [];
      const frame: Frame = { col: p - this.ls, seq: true, node: holder };
      this.stack.push(frame);
      return this.seqItem(p, frame, eol);
    }
    const key = this.key(p, eol);
    if (key !== null) {
      holder.map = new Map();
      const frame: Frame = { col: p - this.ls, seq: false, node: holder };
      this.stack.push(frame);
      return this.mapEntry(p, frame, eol, key);
    }
    return this.value(p, holder, parentIndent, eol);
  }

  private seqItem(p: number, frame: Frame, eol: number): number {
    const item: PosNode = { off: p };
    frame.node.seq!.push(item);
    const q = this.spaces(p + 1, eol);
    if (q === eol || this.s.charCodeAt(q) === HASH) {
      this.pending = { col: p - this.ls, node: item, mapValue: false };
      return this.lineAfter(q);
    }
    return this.nodeStart(q, item, p - this.ls, eol);
  }

  private mapEntry(p: number, frame: Frame, eol: number, known: Key | null): number {
    const key = known ?? this.key(p, eol);
    if (key === null) bail();
    const entry: PosNode = { off: p };
    this.addKey(frame.node.map!, key.key, entry);
    const q = this.spaces(key.end, eol);
    if (q === eol || this.s.charCodeAt(q) === HASH) {
      this.pending = { col: p - this.ls, node: entry, mapValue: true };
      return this.lineAfter(q);
    }
    return this.value(q, entry, p - this.ls, eol);
  }

  /** A value starting at `q` on the current line: no block collection may start here. Returns the next line. */
  private value(q: number, holder: PosNode, parentIndent: number, eol: number): number {
    const s = this.s;
    const c = s.charCodeAt(q);
    switch (c) {
      case 63: // ?
      case 58: // :
        if (this.ws(q + 1, eol)) bail();
        break;
      case 38: // &
      case 42: // *
      case 33: // !
      case 37: // %
      case 64: // @
      case 96: // `
      case 44: // ,
      case 93: // ]
      case 125: // }
        return bail();
      case 124: // |
      case 62: {
        // >
        let j = q + 1;
        for (let k = 0; k < 2 && j < eol; k++) {
          const h = s.charCodeAt(j);
          if (h === 43 || h === 45 || (h >= 49 && h <= 57)) j++;
        }
        const r = this.spaces(j, eol);
        if (r !== eol && (s.charCodeAt(r) !== HASH || r === j)) bail();
        this.valuesKnown = false;
        return this.skipMoreIndented(this.lineAfter(eol), parentIndent, true);
      }
      case 34: // "
        return this.afterScalar(this.quotedScalar(q, holder, this.doubleQuoted(q + 1), DOUBLE_QUOTED));
      case 39: // '
        return this.afterScalar(this.quotedScalar(q, holder, this.singleQuoted(q + 1), SINGLE_QUOTED));
      case 91: // [
      case 123: {
        // `{`, or `[` above: a flow collection. Over several lines, js-yaml checks their indentation, the scanner not.
        const end = this.flow(q, holder);
        if (this.valuesKnown && s.lastIndexOf('\n', end - 1) > q) this.valuesKnown = false;
        return this.afterScalar(end);
      }
      case 45: // -
        if (this.dash(q, eol)) bail();
        break;
      default:
        break;
    }
    // Plain scalar: the rest of the line, then more-indented continuation lines.
    for (let j = q + 1; j < eol; j++) {
      const ch = s.charCodeAt(j);
      if (ch === 58 /* : */ && this.ws(j + 1, eol)) bail();
      if (ch === HASH && (s.charCodeAt(j - 1) === SP || s.charCodeAt(j - 1) === TAB)) {
        this.plainScalar(q, j, holder);
        return this.lineAfter(eol);
      }
    }
    this.plainScalar(q, eol, holder);
    const after = this.lineAfter(eol);
    const next = this.skipMoreIndented(after, parentIndent, false);
    if (next > after && this.valuesKnown && !this.blank(after, next)) this.valuesKnown = false; // a multi-line plain scalar
    return next;
  }

  /** Records a plain scalar written from `q` to `to`, without its trailing blanks. */
  private plainScalar(q: number, to: number, holder: PosNode): void {
    const s = this.s;
    while (to > q && (s.charCodeAt(to - 1) === SP || s.charCodeAt(to - 1) === TAB)) to--;
    holder.start = q;
    holder.end = to;
    holder.style = PLAIN;
  }

  /** Records a quoted scalar from its opening quote at `q` to just after its closing quote; returns `end`. */
  private quotedScalar(q: number, holder: PosNode, end: number, style: typeof SINGLE_QUOTED | typeof DOUBLE_QUOTED): number {
    holder.start = q + 1;
    holder.end = end - 1;
    holder.style = style;
    if (this.valuesKnown && this.s.lastIndexOf('\n', end - 1) > q) this.valuesKnown = false; // folding is not decoded
    return end;
  }

  /** Adds a mapping entry; a key given twice keeps the last position (js-yaml then reports the duplicate). */
  private addKey(map: Map<string, PosNode>, key: string, entry: PosNode): void {
    const size = map.size;
    map.set(key, entry);
    // js-yaml rejects duplicates (the map did not grow), sets `__proto__` specially, and counts a key like `.nan:` as
    // a non-finite number.
    if (this.valuesKnown && (map.size === size || key === '__proto__' || key.length > 1024 || key === 'NaN' || key.endsWith('Infinity'))) {
      this.valuesKnown = false;
    }
  }

  /** True when [from, to) holds only blanks and line breaks. */
  private blank(from: number, to: number): boolean {
    const s = this.s;
    for (let j = from; j < to; j++) {
      const c = s.charCodeAt(j);
      if (c !== SP && c !== TAB && c !== LF && c !== CR) return false;
    }
    return true;
  }

  /**
   * Skips the lines indented more than `parentIndent`, and blank lines. For a block scalar every such line is
   * content; for a plain scalar a comment line ends it.
   */
  private skipMoreIndented(i: number, parentIndent: number, blockScalar: boolean): number {
    const s = this.s;
    const n = this.n;
    while (i < n) {
      let p = i;
      while (p < n && s.charCodeAt(p) === SP) p++;
      const c = s.charCodeAt(p);
      if (p >= n) return n;
      if (c === LF || (c === CR && s.charCodeAt(p + 1) === LF)) {
        i = s.indexOf('\n', p) + 1;
        continue;
      }
      if (p - i <= parentIndent) {
        if (c === TAB && blockScalar) bail();
        return i;
      }
      if (!blockScalar && c === HASH) return i;
      const le = s.indexOf('\n', p);
      if (le < 0) return n;
      i = le + 1;
    }
    return i;
  }

  /** After a quoted scalar or a flow collection ending at `end`: only blanks and a comment may follow. */
  private afterScalar(end: number): number {
    const s = this.s;
    let le = s.indexOf('\n', end);
    if (le < 0) le = this.n;
    const eol = le > end && s.charCodeAt(le - 1) === CR ? le - 1 : le;
    let r = end;
    while (r < eol && (s.charCodeAt(r) === SP || s.charCodeAt(r) === TAB)) r++;
    if (r !== eol && (s.charCodeAt(r) !== HASH || r === end)) bail();
    return le + 1;
  }

  /** A key at `p` (`key:` followed by a space or the end of the line), or null when the line is not a key. */
  private key(p: number, eol: number): Key | null {
    const s = this.s;
    const c = s.charCodeAt(p);
    if (c === 34 || c === 39) {
      let j = p + 1;
      let text: string;
      if (c === 34) {
        let escaped = false;
        while (j < eol && s.charCodeAt(j) !== 34) {
          if (s.charCodeAt(j) === 92 /* \ */) {
            escaped = true;
            j++;
          }
          j++;
        }
        if (j >= eol) return null;
        const r = this.spaces(j + 1, eol);
        if (!(r < eol && s.charCodeAt(r) === 58 && this.ws(r + 1, eol))) return null;
        text = escaped ? jsonEscapes(s.slice(p + 1, j)) : s.slice(p + 1, j);
        j++;
      } else {
        let doubled = false;
        for (;;) {
          if (j >= eol) return null;
          if (s.charCodeAt(j) === 39) {
            if (s.charCodeAt(j + 1) === 39) {
              doubled = true;
              j += 2;
              continue;
            }
            break;
          }
          j++;
        }
        text = s.slice(p + 1, j);
        if (doubled) text = text.replace(/''/g, "'");
        j++;
      }
      const r = this.spaces(j, eol);
      if (r < eol && s.charCodeAt(r) === 58 && this.ws(r + 1, eol)) return { key: text, end: r + 1 };
      return null;
    }
    switch (c) {
      case 91: // [
      case 123: // {
      case 93: // ]
      case 125: // }
      case 44: // ,
      case 35: // #
      case 38: // &
      case 42: // *
      case 33: // !
      case 124: // |
      case 62: // >
      case 37: // %
      case 64: // @
      case 96: // `
        return null;
      case 45: // -
        if (this.ws(p + 1, eol)) return null;
        break;
      case 63: // ?
      case 58: // :
        if (this.ws(p + 1, eol)) bail();
        break;
      default:
        break;
    }
    // A tab inside a plain key (trailing blanks before the `:` included) makes the scanner give up.
    let tab = false;
    for (let j = p + 1; j < eol; j++) {
      const ch = s.charCodeAt(j);
      if (ch === 58 /* : */ && this.ws(j + 1, eol)) {
        if (tab) bail();
        let e = j;
        while (e > p && s.charCodeAt(e - 1) === SP) e--;
        const raw = s.slice(p, e);
        if (raw === '<<') bail();
        return { key: plainKeyToString(raw), end: j + 1 };
      }
      if (ch === TAB) tab = true;
      else if (ch === HASH && (s.charCodeAt(j - 1) === SP || s.charCodeAt(j - 1) === TAB)) return null;
    }
    return null;
  }

  /** Offset after the closing `"` of a double-quoted scalar whose content starts at `j`. */
  private doubleQuoted(j: number): number {
    const s = this.s;
    const n = this.n;
    for (; j < n; j++) {
      const c = s.charCodeAt(j);
      if (c === 92) j++;
      else if (c === 34) return j + 1;
    }
    return bail();
  }

  /** Offset after the closing `'` of a single-quoted scalar whose content starts at `j`. */
  private singleQuoted(j: number): number {
    const s = this.s;
    const n = this.n;
    for (; j < n; j++) {
      if (s.charCodeAt(j) === 39) {
        if (s.charCodeAt(j + 1) === 39) j++;
        else return j + 1;
      }
    }
    return bail();
  }

  /** A flow collection at `q`; fills `holder`; returns the offset after its closing bracket. */
  private flow(q: number, holder: PosNode): number {
    const s = this.s;
    if (s.charCodeAt(q) === 91) {
      const items: PosNode[] = [];
      holder.seq = items;
      let j = this.flowSpace(q + 1);
      for (;;) {
        if (s.charCodeAt(j) === 93) return j + 1;
        const item: PosNode = { off: j };
        items.push(item);
        j = this.flowSpace(this.flowValue(j, item));
        const c = s.charCodeAt(j);
        if (c === 44) j = this.flowSpace(j + 1);
        else if (c === 93) return j + 1;
        else bail();
      }
    }
    const map = new Map<string, PosNode>();
    holder.map = map;
    let j = this.flowSpace(q + 1);
    for (;;) {
      if (s.charCodeAt(j) === 125) return j + 1;
      const start = j;
      let key: string;
      const c = s.charCodeAt(j);
      if (c === 34 || c === 39) {
        const end = c === 34 ? this.doubleQuoted(j + 1) : this.singleQuoted(j + 1);
        const raw = s.slice(j + 1, end - 1);
        if (raw.includes('\n') || raw.includes('\r')) bail();
        key = c === 39 ? raw.replace(/''/g, "'") : raw.includes('\\') ? jsonEscapes(raw) : raw;
        j = end;
        while (s.charCodeAt(j) === SP) j++;
        if (s.charCodeAt(j) !== 58) bail();
        j++;
      } else {
        if (this.flowIndicatorOrSpecial(c) || ((c === 45 || c === 58 || c === 63) && this.flowWs(j + 1))) bail();
        let k = j + 1;
        for (;;) {
          const ch = s.charCodeAt(k);
          if (k >= this.n || ch === LF || ch === CR || ch === TAB || ch === 44 || ch === 91 || ch === 93 || ch === 123 || ch === 125) bail();
          if (ch === 58) {
            if (!this.flowWs(k + 1)) bail();
            break;
          }
          if (ch === HASH && s.charCodeAt(k - 1) === SP) bail();
          k++;
        }
        let e = k;
        while (s.charCodeAt(e - 1) === SP) e--;
        const raw = s.slice(j, e);
        if (raw === '<<') bail();
        key = plainKeyToString(raw);
        j = k + 1;
      }
      const entry: PosNode = { off: start };
      this.addKey(map, key, entry);
      j = this.flowSpace(j);
      const v = s.charCodeAt(j);
      if (v !== 44 && v !== 125) j = this.flowSpace(this.flowValue(j, entry));
      const d = s.charCodeAt(j);
      if (d === 44) j = this.flowSpace(j + 1);
      else if (d !== 125) bail();
    }
  }

  /** A value inside a flow collection; returns the offset after it. */
  private flowValue(j: number, holder: PosNode): number {
    const s = this.s;
    const c = s.charCodeAt(j);
    if (c === 91 || c === 123) return this.flow(j, holder);
    if (c === 34) return this.quotedScalar(j, holder, this.doubleQuoted(j + 1), DOUBLE_QUOTED);
    if (c === 39) return this.quotedScalar(j, holder, this.singleQuoted(j + 1), SINGLE_QUOTED);
    if (this.flowIndicatorOrSpecial(c) || ((c === 45 || c === 58 || c === 63) && this.flowWs(j + 1))) bail();
    let k = j + 1;
    for (;;) {
      if (k >= this.n) bail();
      const ch = s.charCodeAt(k);
      if (ch === 44 || ch === 93 || ch === 125 || ch === LF || ch === CR) break;
      if (ch === 91 || ch === 123) bail();
      if (ch === 58) {
        if (this.flowWs(k + 1)) break;
        bail();
      }
      if (ch === HASH && (s.charCodeAt(k - 1) === SP || s.charCodeAt(k - 1) === TAB)) break;
      k++;
    }
    this.plainScalar(j, k, holder);
    return k;
  }

  private flowIndicatorOrSpecial(c: number): boolean {
    return (
      c === 44 || c === 91 || c === 93 || c === 123 || c === 125 || c === 35 || c === 38 || c === 42 || c === 33 ||
      c === 124 || c === 62 || c === 37 || c === 64 || c === 96 || c === 34 || c === 39 || c === SP ||
      c === TAB || c === LF || c === CR || Number.isNaN(c)
    );
  }

  /** After `:` or `-` inside a flow collection: a separator or the end of a flow entry. */
  private flowWs(j: number): boolean {
    const c = this.s.charCodeAt(j);
    return c === SP || c === TAB || c === LF || c === CR || c === 44 || c === 93 || c === 125 || c === 91 || c === 123;
  }

  /** Skips blanks, line breaks and comments inside a flow collection. */
  private flowSpace(j: number): number {
    const s = this.s;
    const n = this.n;
    while (j < n) {
      const c = s.charCodeAt(j);
      if (c === SP || c === TAB || c === LF || c === CR) j++;
      else if (c === HASH) {
        const prev = s.charCodeAt(j - 1);
        if (prev !== SP && prev !== TAB && prev !== LF && prev !== CR) bail();
        const le = s.indexOf('\n', j);
        j = le < 0 ? n : le;
      } else return j;
    }
    return bail();
  }

  /** Skips spaces; tabs only when nothing but a comment follows (a tab before content could be indentation). */
  private spaces(j: number, eol: number): number {
    const s = this.s;
    while (j < eol) {
      const c = s.charCodeAt(j);
      if (c === SP) j++;
      else if (c === TAB) {
        let k = j + 1;
        while (k < eol && (s.charCodeAt(k) === SP || s.charCodeAt(k) === TAB)) k++;
        if (k < eol && s.charCodeAt(k) !== HASH) bail();
        return k;
      } else break;
    }
    return j;
  }

  private ws(j: number, eol: number): boolean {
    if (j >= eol) return true;
    const c = this.s.charCodeAt(j);
    return c === SP || c === TAB;
  }

  private dash(p: number, eol: number): boolean {
    return this.s.charCodeAt(p) === 45 && this.ws(p + 1, eol);
  }

  private marker(p: number, ch: number): boolean {
    const s = this.s;
    if (s.charCodeAt(p + 1) !== ch || s.charCodeAt(p + 2) !== ch) return false;
    const c = s.charCodeAt(p + 3);
    return p + 3 >= this.n || c === SP || c === TAB || c === LF || c === CR;
  }

  private blankOrComment(p: number, eol: number): boolean {
    const s = this.s;
    for (let j = p; j < eol; j++) {
      const c = s.charCodeAt(j);
      if (c === SP || c === TAB) continue;
      return c === HASH;
    }
    return true;
  }

  /** Start of the line after the one containing `j`. */
  private lineAfter(j: number): number {
    const le = this.s.indexOf('\n', j);
    return le < 0 ? this.n : le + 1;
  }
}

/** What the fast scanner read of one document. */
export interface FastScan {
  /** Positions of its entries; `null` for a document without content. */
  tree: PosNode | null;
  /** Whether the tree's scalar spans describe the whole value (see fast-values.ts); false sends values to js-yaml. */
  valuesKnown: boolean;
}

/**
 * Reads one document, or returns `undefined` when it uses YAML this scanner does not handle (the caller then asks
 * the `yaml` package for positions and js-yaml for values).
 */
export function fastScan(text: string): FastScan | undefined {
  try {
    const scanner = new Scanner(text);
    const tree = scanner.run();
    return { tree, valuesKnown: scanner.valuesKnown };
  } catch (error) {
    if (error === UNSUPPORTED) return undefined;
    throw error;
  }
}

/**
 * Positions of the entries of one document, or `undefined` when the document uses YAML this scanner does not
 * handle (the caller then asks the `yaml` package). `null` for a document without content.
 */
export function fastPositionTree(text: string): PosNode | null | undefined {
  return fastScan(text)?.tree;
}
