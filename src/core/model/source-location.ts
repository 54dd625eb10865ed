import type { FieldPath } from './field-path.js';

/** 1-based line and column, as editors and SARIF count them. */
export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * Finds where a field of one document was written. Implementations may work lazily: locating is only
 * needed for objects that have findings, so parsing for positions is deferred until asked.
 */
export interface SourceLocator {
  /** Position of the deepest existing node on `path` (the field itself when it was written). */
  locate(path: FieldPath): SourcePosition | undefined;
}
