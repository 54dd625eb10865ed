/**
 * Splits a YAML stream into documents without parsing it, so that an error in one document does not lose the others.
 *
 * A line starting with `---` or `...` followed by a space, a tab or the end of the line is a document marker wherever
 * it appears: YAML forbids those two sequences at the start of a line inside any scalar (c-forbidden), so cutting
 * there is always safe. Each part keeps its own marker line, and directive lines (`%YAML`, `%TAG`) stay with the
 * document they introduce, so every part is a valid one-document stream on its own with the same columns.
 */

export interface DocumentSegment {
  /** Offset of the first character of the part (its `---` line when it has one). */
  start: number;
  /** Offset just past the part. */
  end: number;
  /** 0-based line number of `start` in the whole text. */
  line: number;
  /** 0-based index of the document in the stream, as a YAML loader counts them. */
  index: number;
}

function isBreak(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function isMarker(text: string, at: number, ch: number): boolean {
  return (
    text.charCodeAt(at) === ch &&
    text.charCodeAt(at + 1) === ch &&
    text.charCodeAt(at + 2) === ch &&
    (at + 3 >= text.length || isBreak(text.charCodeAt(at + 3)))
  );
}

/** True when the line [from, to) holds something else than blanks and a comment. */
function hasContent(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) continue;
    return c !== 35; /* # */
  }
  return false;
}

export function splitYamlStream(text: string): DocumentSegment[] {
  const segments: DocumentSegment[] = [];
  let start = 0;
  let startLine = 0;
  let explicit = false;
  let content = false;
  let directives = false;
  const close = (end: number): void => {
    if (explicit || content) segments.push({ start, end, line: startLine, index: segments.length });
  };
  let line = 0;
  for (let i = 0; i < text.length; line++) {
    let eol = text.indexOf('\n', i);
    if (eol < 0) eol = text.length;
    const next = eol + 1;
    const c = text.charCodeAt(i);
    if (c === 45 /* - */ && isMarker(text, i, 45)) {
      if (!(directives && !explicit && !content)) {
        close(i);
        start = i;
        startLine = line;
      }
      explicit = true;
      directives = false;
      content = hasContent(text, i + 3, eol);
    } else if (c === 46 /* . */ && isMarker(text, i, 46)) {
      close(Math.min(next, text.length));
      start = Math.min(next, text.length);
      startLine = line + 1;
      explicit = content = directives = false;
    } else if (c === 37 /* % */ && !content && !explicit) {
      directives = true;
    } else if (!content && hasContent(text, i, eol)) {
      content = true;
    }
    i = next;
  }
  if (start < text.length || explicit) close(text.length);
  return segments;
}
