/**
 * The one order of text in everything Aspis writes: UTF-16 code units, as `Array.prototype.sort` and Go compare
 * strings. Unlike `localeCompare`, it does not depend on the user's locale (`LANG=da_DK.UTF-8` sorts `aa…` after
 * `z…`), so the same input gives the same bytes on every machine, and it costs a comparison, not a collation.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
