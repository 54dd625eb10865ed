/** Column-aligned text rows for the `aspis netpol` tables (two spaces between columns, no trailing blanks). */
import { printable } from './text.js';

export function netpolColumns(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const cells = rows.map((row) => row.map(printable));
  const widths: number[] = [];
  for (const row of cells) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return cells.map((row) => `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}
