import type { FieldPath } from '../../core/model/field-path.js';
import type { SourceLocator, SourcePosition } from '../../core/model/source-location.js';
import { fastPositionTree } from './fast-positions.js';
import { findNode, lineOf, lineStarts } from './position-tree.js';
import type { PosNode } from './position-tree.js';
import { yamlPositionTree } from './yaml-positions.js';

/** One input's text, with line starts computed once (lazily) and shared by the locators of all its documents. */
export class SourceText {
  private starts: number[] | undefined;

  constructor(readonly text: string) {}

  position(offset: number): SourcePosition {
    this.starts ??= lineStarts(this.text);
    const line = lineOf(this.starts, offset);
    return { line: line + 1, column: offset - this.starts[line]! + 1 };
  }
}

/**
 * Locates fields of one document of a source text. Nothing is parsed until the first `locate`: then the fast
 * scanner builds a position tree, or, for YAML it does not handle, the `yaml` package does.
 */
export class DocumentLocator implements SourceLocator {
  private tree: PosNode | null | undefined;
  /** Which parser built the tree: `fast`, `yaml`, or undefined before the first `locate`. */
  method: 'fast' | 'yaml' | undefined;

  constructor(
    private readonly source: SourceText,
    /** The document's range in the source text. */
    readonly start: number,
    readonly end: number,
    /** What the fast scanner already read of the document: its tree, or `undefined` when it gave up. */
    scanned?: { tree: PosNode | null } | undefined,
  ) {
    if (scanned === undefined) return;
    this.tree = scanned.tree;
    this.method = 'fast';
  }

  /** A locator for a document the fast scanner could not read: positions come from the `yaml` package. */
  static unscannable(source: SourceText, start: number, end: number): DocumentLocator {
    const locator = new DocumentLocator(source, start, end);
    locator.fastFailed = true;
    return locator;
  }

  private fastFailed = false;

  /** The document's own text. */
  text(): string {
    return this.source.text.slice(this.start, this.end);
  }

  locate(path: FieldPath): SourcePosition | undefined {
    if (this.method === undefined) this.build();
    if (!this.tree) return undefined;
    return this.source.position(this.start + findNode(this.tree, path).off);
  }

  private build(): void {
    const text = this.text();
    const fast = this.fastFailed ? undefined : fastPositionTree(text);
    if (fast !== undefined) {
      this.tree = fast;
      this.method = 'fast';
    } else {
      this.tree = yamlPositionTree(text);
      this.method = 'yaml';
    }
  }
}

/** A locator for an object nested in another document (an item of a `List`): paths are prefixed. */
export class NestedLocator implements SourceLocator {
  constructor(
    private readonly parent: SourceLocator,
    private readonly prefix: FieldPath,
  ) {}

  locate(path: FieldPath): SourcePosition | undefined {
    return this.parent.locate([...this.prefix, ...path]);
  }
}
