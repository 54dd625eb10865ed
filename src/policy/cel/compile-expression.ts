/**
 * Text to runnable program: parse, type-check against the declared variables, compile to closures. A problem is
 * reported as {@link CelCompileError} with its offset; {@link describeCompileError} turns it into line:column text.
 */
import { CelCompileError, lineColumnOf } from './errors.js';
import type { StaticType } from './function-table.js';
import { compileAst, type CompiledExpression } from './interpreter.js';
import { KUBERNETES_FUNCTIONS } from './kubernetes-functions.js';
import { parseCel } from './parser.js';

/** What a Kubernetes v1.34 apiserver accepts in new expressions (its compatibility version, v1.33). */
export const DEFAULT_CEL_VERSION = 33;

export function compileExpression(text: string, variables: Readonly<Record<string, StaticType>>, version = DEFAULT_CEL_VERSION): CompiledExpression {
  return compileAst(parseCel(text), { variables, functions: KUBERNETES_FUNCTIONS, version });
}

export interface CompileProblem {
  reason: string;
  line: number;
  column: number;
}

export function describeCompileError(text: string, error: unknown): CompileProblem {
  if (error instanceof CelCompileError) return { reason: error.reason, ...lineColumnOf(text, error.offset) };
  return { reason: error instanceof Error ? error.message : String(error), line: 1, column: 1 };
}
