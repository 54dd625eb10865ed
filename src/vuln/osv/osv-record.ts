/**
 * The OSV record (ossf/osv-schema docs/schema.md), as far as Aspis reads it. Unknown fields are kept by the
 * store (the whole record is stored) but not typed here.
 */
export interface OsvEvent {
  readonly introduced?: string;
  readonly fixed?: string;
  readonly last_affected?: string;
  readonly limit?: string;
}

export type OsvRangeType = 'SEMVER' | 'ECOSYSTEM' | 'GIT' | (string & {});

export interface OsvRange {
  readonly type: OsvRangeType;
  readonly repo?: string;
  readonly events: readonly OsvEvent[];
  readonly database_specific?: Record<string, unknown>;
}

export interface OsvSeverity {
  readonly type: string;
  readonly score: string;
}

export interface OsvPackage {
  readonly ecosystem: string;
  readonly name: string;
  readonly purl?: string;
}

export interface OsvAffected {
  readonly package?: OsvPackage;
  readonly severity?: readonly OsvSeverity[];
  readonly ranges?: readonly OsvRange[];
  readonly versions?: readonly string[];
  readonly ecosystem_specific?: Record<string, unknown>;
  readonly database_specific?: Record<string, unknown>;
}

export interface OsvReference {
  readonly type: string;
  readonly url: string;
}

export interface OsvRecord {
  readonly schema_version?: string;
  readonly id: string;
  readonly modified: string;
  readonly published?: string;
  readonly withdrawn?: string;
  readonly aliases?: readonly string[];
  readonly upstream?: readonly string[];
  readonly related?: readonly string[];
  readonly summary?: string;
  readonly details?: string;
  readonly severity?: readonly OsvSeverity[];
  readonly affected?: readonly OsvAffected[];
  readonly references?: readonly OsvReference[];
  readonly database_specific?: Record<string, unknown>;
}

export const EVENT_KINDS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** The one kind and value of a valid event (validation guarantees exactly one). */
export function eventKindOf(event: OsvEvent): { kind: EventKind; value: string } {
  for (const kind of EVENT_KINDS) {
    const value = event[kind];
    if (value !== undefined) return { kind, value };
  }
  throw new Error('OSV event without introduced, fixed, last_affected or limit');
}
