/**
 * CEL evaluation errors. They are values of the language (`false || error` is an error, `true || error` is true), so
 * the interpreter throws them and the logical operators and comprehensions catch them. They deliberately do not
 * extend Error: throwing them must not pay for a stack trace on the admission hot path.
 * Messages follow cel-go's wording, because the apiserver puts them into its denial messages.
 */
export class CelError {
  constructor(readonly message: string) {}
  toString(): string {
    return this.message;
  }
}

export function isCelError(value: unknown): value is CelError {
  return value instanceof CelError;
}

export const noSuchOverload = (): CelError => new CelError('no such overload');
export const noSuchKey = (key: unknown): CelError => new CelError(`no such key: ${String(key)}`);

/** A compile-time problem: what is wrong and where (offset into the expression). */
export class CelCompileError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(reason);
    this.name = 'CelCompileError';
  }
}

/** 1-based line and column of `offset` in `text`. */
export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
