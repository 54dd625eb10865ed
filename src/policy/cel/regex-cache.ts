/**
 * RE2 regular expressions (re2js, a port of Go's regexp engine, so patterns mean what they mean to cel-go) compiled
 * once per distinct pattern. The memo is bounded: patterns normally come from policy text, but an expression can
 * build them from object fields.
 */
import { RE2JS } from 're2js';
import { CelError } from './errors.js';

const COMPILED = new Map<string, RE2JS>();
const LIMIT = 1_000;

/** The compiled pattern, or a CEL error with Go's "error parsing regexp" wording. */
export function compileRegex(pattern: string): RE2JS {
  let re = COMPILED.get(pattern);
  if (re) return re;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    throw new CelError(e instanceof Error ? e.message : String(e));
  }
  if (COMPILED.size >= LIMIT) COMPILED.delete(COMPILED.keys().next().value!);
  COMPILED.set(pattern, re);
  return re;
}
