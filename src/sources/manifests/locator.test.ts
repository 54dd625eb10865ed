import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fastPositionTree } from './fast-positions.js';
import { parseDocuments, parseStream } from './parse-documents.js';
import { splitYamlStream } from './split-documents.js';

/** `line:column` of `path` in the first document of `text`, and which parser answered. */
function locate(text: string, path: (string | number)[]): string {
  const [document] = parseStream(text).documents;
  assert.ok(document, 'no document');
  const p = document.locator.locate(path);
  return p ? `${p.line}:${p.column}` : 'none';
}

function method(text: string): string | undefined {
  const [document] = parseStream(text).documents;
  document!.locator.locate([]);
  return document!.locator.method;
}

const POD = `# a comment
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web, "tier": 'front'}   # flow mapping
  annotations:
    note: |
      spec:
        - not: structure
    "quoted key": x
spec:
  containers:
  - name: main
    image: nginx
    args: [--port, "8080"]
    env:
      - name: A
        value: multi
          line plain
      -
        name: B
  volumes:
  - name: data
    emptyDir: {}
`;

describe('source locator', () => {
  it('gives the line and column of keys, sequence dashes and flow items', () => {
    assert.equal(locate(POD, []), '2:1');
    assert.equal(locate(POD, ['kind']), '3:1');
    assert.equal(locate(POD, ['metadata', 'name']), '5:3');
    assert.equal(locate(POD, ['metadata', 'labels', 'app']), '6:12');
    assert.equal(locate(POD, ['metadata', 'labels', 'tier']), '6:22');
    assert.equal(locate(POD, ['metadata', 'annotations', 'quoted key']), '11:5');
    assert.equal(locate(POD, ['spec', 'containers', 0]), '14:3');
    assert.equal(locate(POD, ['spec', 'containers', 0, 'image']), '15:5');
    assert.equal(locate(POD, ['spec', 'containers', 0, 'args', 1]), '16:20');
    assert.equal(locate(POD, ['spec', 'containers', 0, 'env', 0, 'value']), '19:9');
    assert.equal(locate(POD, ['spec', 'containers', 0, 'env', 1]), '21:7');
    assert.equal(locate(POD, ['spec', 'containers', 0, 'env', 1, 'name']), '22:9');
    assert.equal(locate(POD, ['spec', 'volumes', 0, 'emptyDir']), '25:5');
    assert.equal(method(POD), 'fast');
  });

  it('answers the deepest existing ancestor for a missing path', () => {
    assert.equal(locate(POD, ['spec', 'containers', 0, 'securityContext', 'privileged']), '14:3');
    assert.equal(locate(POD, ['spec', 'containers', 7]), '13:3');
    assert.equal(locate(POD, ['metadata', 'name', 'deeper']), '5:3');
    assert.equal(locate(POD, ['nothing']), '2:1');
  });

  it('finds keys the way they decode (YAML 1.1 keys, duplicates: the last one)', () => {
    const text = 'a: 1\non: x\n0x10: y\nb: 1\nb: 2\n';
    assert.equal(locate(text, ['true']), '2:1');
    assert.equal(locate(text, ['16']), '3:1');
    assert.equal(locate(text, ['b']), '5:1');
  });

  it('counts lines across documents and CRLF line endings', () => {
    const text = 'a: 1\r\n---\r\nkind: Pod\r\nspec:\r\n  x: [1, 2]\r\n';
    const [, second] = parseStream(text).documents;
    assert.deepEqual(second!.locator.locate(['spec', 'x', 1]), { line: 5, column: 10 });
  });

  it('locates JSON documents', () => {
    const text = '{\n\t"kind": "Pod",\n\t"spec": {"containers": [{"name": "a"}, {"name": "b"}]}\n}\n';
    assert.equal(locate(text, ['spec', 'containers', 1, 'name']), '3:42');
    assert.equal(method(text), 'fast');
  });

  it('locates each JSON value of a stream, values sharing a line included, with the fast scanner', () => {
    const text = '{"kind": "Pod", "spec": {"a": [1]}} {"kind": "Service",\n "spec": {"b": [2, 3]}} {"c": 4}\n';
    const documents = parseStream(text).documents;
    assert.equal(documents.length, 3);
    const [first, second, third] = documents.map((document) => document.locator);
    assert.deepEqual(first!.locate(['spec', 'a', 0]), { line: 1, column: 32 });
    assert.deepEqual(second!.locate(['spec', 'b', 1]), { line: 2, column: 20 });
    assert.deepEqual(third!.locate(['c']), { line: 2, column: 26 });
    assert.deepEqual(documents.map((document) => document.locator.method), ['fast', 'fast', 'fast']);
  });

  it('hands anchors, aliases, tags and complex keys to the yaml package', () => {
    const anchors = 'base: &b\n  image: nginx\nc:\n  <<: *b\n  name: x\n';
    assert.equal(method(anchors), 'yaml');
    assert.equal(locate(anchors, ['c', 'image']), '2:3');
    assert.equal(locate(anchors, ['c', 'name']), '5:3');
    assert.equal(method('a: !!str 1\nb: 2\n'), 'yaml');
    assert.equal(locate('? [x]\n: 1\nb: 2\n', ['b']), '3:1');
    assert.equal(fastPositionTree('? [x]\n: 1\n'), undefined);
    assert.equal(fastPositionTree('a: "\\x41"\n"\\x41": b\n'), undefined);
  });

  it('locates nothing in an empty document', () => {
    assert.equal(fastPositionTree('# just a comment\n'), null);
  });
});

describe('parseDocuments', () => {
  it('returns every mapping with its index; errors name the document and line', () => {
    const { documents, errors } = parseDocuments('a: 1\n---\nb: [\n---\n- x\n---\nc: 3\n');
    assert.deepEqual(
      documents.map((d) => [d.object, d.documentIndex]),
      [
        [{ a: 1 }, 0],
        [{ c: 3 }, 3],
      ],
    );
    assert.deepEqual(
      errors.map((e) => [e.documentIndex, e.line, e.message]),
      [
        [1, 3, 'malformed YAML: unexpected end of the stream within a flow collection'],
        [2, 5, 'document is not a mapping (found a sequence)'],
      ],
    );
  });

  it('names a key tagged !!str by its text, as the decoded object does (the yaml package path)', () => {
    // `!!str 0x10` is the key "0x10"; read as a plain key it was 16 and took the place of the real `16`.
    const text = 'a:\n-\n16: [x, y]\n!!str 0x10: [x]\n';
    assert.equal(method(text), 'yaml');
    assert.equal(locate(text, ['16', 1]), '3:9');
    assert.equal(locate(text, ['0x10', 0]), '4:14');
  });

  it('strips a byte order mark', () => {
    assert.deepEqual(parseDocuments('\ufeffa: 1\n').documents[0]!.object, { a: 1 });
  });
});

describe('splitYamlStream', () => {
  it('cuts at --- and ... markers only at column 0, keeping directives with their document', () => {
    const text = '%YAML 1.1\n---\na: 1\n ---\nb: "---"\n...\n# between\n---  {c: 1}\n---\n';
    const segments = splitYamlStream(text);
    assert.deepEqual(
      segments.map((s) => [text.slice(s.start, s.end), s.line, s.index]),
      [
        ['%YAML 1.1\n---\na: 1\n ---\nb: "---"\n...\n', 0, 0],
        ['---  {c: 1}\n', 7, 1],
        ['---\n', 8, 2],
      ],
    );
  });

  it('does not count a comment-only prefix as a document', () => {
    assert.deepEqual(
      splitYamlStream('# c\n---\na: 1\n').map((s) => s.index),
      [0],
    );
    assert.deepEqual(splitYamlStream('# only\n'), []);
  });
});
