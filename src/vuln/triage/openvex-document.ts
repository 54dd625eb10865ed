/**
 * OpenVEX documents (https://github.com/openvex/spec, v0.2.0): statements saying whether a product is affected by a
 * vulnerability. Pure: the caller reads the file; errors name the file, line and field so a bad statement is found
 * at once. An invalid statement is left out (it suppresses nothing) and the others still apply.
 */
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { nodeAtPath } from '../../core/yaml/node-at-path.js';

export const VEX_STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const;
export type VexStatus = (typeof VEX_STATUSES)[number];

export const VEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;

/** A product or subcomponent: an IRI (`@id`, often a purl) and/or identifiers. */
export interface VexProduct {
  readonly id?: string;
  readonly purl?: string;
  readonly hashes: readonly string[];
  readonly subcomponents: readonly VexProduct[];
}

export interface VexStatement {
  readonly id?: string;
  readonly vulnerability: { readonly name: string; readonly aliases: readonly string[] };
  readonly products: readonly VexProduct[];
  readonly status: VexStatus;
  readonly justification?: string;
  readonly impactStatement?: string;
  readonly actionStatement?: string;
  readonly statusNotes?: string;
  /** The statement's timestamp, else the document's (ISO 8601), as the spec says statements inherit it. */
  readonly timestamp: string;
  /** `file:line` of the statement, to say which statement suppressed a vulnerability. */
  readonly declaredAt: string;
  /** Position in the documents as given (document order, then statement order): the later wins a timestamp tie. */
  readonly order: number;
}

export interface VexDocument {
  readonly id: string;
  readonly author: string;
  readonly file: string;
  readonly statements: readonly VexStatement[];
}

/** A problem in a VEX document: the file, the line when known, the field, and what is wrong. */
export interface VexError {
  readonly source: string;
  readonly line?: number;
  readonly column?: number;
  readonly field?: string;
  readonly message: string;
}

const text = (what: string) => z.string({ error: `expected ${what} (a string)` }).min(1, { error: `${what} cannot be empty` });
const timestamp = z.string({ error: 'expected an ISO 8601 timestamp (a string)' }).refine((t) => /^\d{4}-\d{2}-\d{2}T/.test(t) && !Number.isNaN(Date.parse(t)), {
  error: (issue) => `expected an ISO 8601 timestamp such as 2026-01-31T12:00:00Z, got ${JSON.stringify(issue.input)}`,
});

const identifiers = z.looseObject({ purl: text('a purl').optional() }, { error: 'expected identifiers {purl, cpe22, cpe23}' });
const hashes = z.record(z.string(), z.string({ error: 'expected a hash value (a string)' }), { error: 'expected hashes {algorithm: value}' });
const component = z.looseObject(
  { '@id': text('an @id').optional(), identifiers: identifiers.optional(), hashes: hashes.optional() },
  { error: 'expected a component {@id, identifiers, hashes}' },
);
const product = component.extend({ subcomponents: z.array(component, { error: 'expected a list of subcomponents' }).optional() });

const vulnerability = z.union(
  [
    // v0.0.x wrote the vulnerability as a plain string.
    text('a vulnerability name'),
    z.looseObject({ '@id': z.string().optional(), name: text('a vulnerability name'), aliases: z.array(text('an alias'), { error: 'expected a list of aliases' }).optional() }),
  ],
  { error: 'expected a vulnerability {name, aliases}' },
);

const statement = z
  .looseObject(
    {
      '@id': z.string().optional(),
      vulnerability,
      timestamp: timestamp.optional(),
      last_updated: timestamp.optional(),
      products: z.array(product, { error: 'expected a list of products' }).min(1, { error: 'a statement names at least one product' }),
      status: z.enum(VEX_STATUSES, { error: (issue) => `expected one of ${VEX_STATUSES.join(', ')}, got ${JSON.stringify(issue.input)}` }),
      justification: z.enum(VEX_JUSTIFICATIONS, { error: (issue) => `expected one of ${VEX_JUSTIFICATIONS.join(', ')}, got ${JSON.stringify(issue.input)}` }).optional(),
      impact_statement: z.string().optional(),
      action_statement: z.string().optional(),
      status_notes: z.string().optional(),
    },
    { error: 'expected a statement {vulnerability, products, status, …}' },
  )
  .superRefine((s, ctx) => {
    // The spec's MUSTs: not_affected says why, affected says what to do.
    if (s.status === 'not_affected' && s.justification === undefined && !s.impact_statement) {
      ctx.addIssue({ code: 'custom', path: ['justification'], message: 'a not_affected statement needs a justification or an impact_statement' });
    }
    if (s.status === 'affected' && !s.action_statement) ctx.addIssue({ code: 'custom', path: ['action_statement'], message: 'an affected statement needs an action_statement' });
  });

const documentHeader = z.looseObject(
  {
    '@context': z.string({ error: 'expected the OpenVEX context (a string)' }).refine((c) => c.startsWith('https://openvex.dev/ns'), {
      error: (issue) => `expected an OpenVEX context (https://openvex.dev/ns/v0.2.0), got ${JSON.stringify(issue.input)}`,
    }),
    '@id': text('a document @id'),
    author: text('an author'),
    timestamp,
    version: z.number({ error: 'expected a document version (an integer)' }).int().optional(),
    statements: z.array(z.unknown(), { error: 'expected a list of statements' }),
  },
  { error: 'expected an OpenVEX document (a JSON object)' },
);

type Path = (string | number)[];

/**
 * Parses one OpenVEX document (JSON). `order` is the position of the first statement among all documents of the
 * scan, so statements of later documents win timestamp ties.
 */
export function parseOpenVex(content: string, file: string, order = 0): { document?: VexDocument; errors: VexError[] } {
  const lineCounter = new LineCounter();
  // JSON is YAML: the YAML parser gives positions for every field.
  const doc = parseDocument(content, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const at = (offset: number): { line: number; column: number } => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) return { errors: doc.errors.slice(0, 1).map((e) => ({ source: file, ...at(e.pos[0]), message: `not valid JSON: ${e.message.split('\n')[0]}` })) };
  const json: unknown = doc.toJS();
  const errorAt = (path: Path, message: string): VexError => {
    const node = nodeAtPath(doc.contents, path);
    const field = formatPath(path);
    return { source: file, ...(node?.range ? at(node.range[0]) : {}), ...(field ? { field } : {}), message };
  };

  const header = documentHeader.safeParse(json);
  if (!header.success) return { errors: header.error.issues.map((issue) => errorAt(issue.path as Path, issue.message)) };
  const errors: VexError[] = [];
  const statements: VexStatement[] = [];
  header.data.statements.forEach((raw, i) => {
    const parsed = statement.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push(errorAt(['statements', i, ...(issue.path as Path)], `${issue.message}; the statement is ignored`));
      return;
    }
    const s = parsed.data;
    const node = nodeAtPath(doc.contents, ['statements', i]);
    const name = typeof s.vulnerability === 'string' ? s.vulnerability : s.vulnerability.name;
    const aliases = typeof s.vulnerability === 'string' ? [] : (s.vulnerability.aliases ?? []);
    statements.push({
      ...(s['@id'] ? { id: s['@id'] } : {}),
      vulnerability: { name, aliases },
      products: s.products.map(toProduct),
      status: s.status,
      ...(s.justification ? { justification: s.justification } : {}),
      ...(s.impact_statement ? { impactStatement: s.impact_statement } : {}),
      ...(s.action_statement ? { actionStatement: s.action_statement } : {}),
      ...(s.status_notes ? { statusNotes: s.status_notes } : {}),
      timestamp: s.timestamp ?? header.data.timestamp,
      declaredAt: `${file}:${node?.range ? at(node.range[0]).line : 1}`,
      order: order + i,
    });
  });
  return { document: { id: header.data['@id'], author: header.data.author, file, statements }, errors };
}

function toProduct(p: z.infer<typeof product>): VexProduct {
  const purl = p.identifiers?.purl;
  return {
    ...(p['@id'] ? { id: p['@id'] } : {}),
    ...(purl ? { purl } : {}),
    hashes: Object.values(p.hashes ?? {}),
    subcomponents: (p.subcomponents ?? []).map((c) => toProduct({ ...c, subcomponents: [] })),
  };
}


function formatPath(path: Path): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
