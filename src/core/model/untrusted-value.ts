/**
 * Narrowing helpers for decoded (untrusted) Kubernetes fields: a manifest may put any JSON type anywhere, so checks
 * read fields through these instead of trusting TypeScript types.
 */

export type UntrustedRecord = Record<string, unknown>;

/** The value as an object (not an array, not null), or undefined. */
export function asRecord(value: unknown): UntrustedRecord | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as UntrustedRecord) : undefined;
}

/** The value as an array, or an empty array when it is anything else. */
export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** True when the field is absent: Kubernetes treats an explicit null like an unset field. */
export function isUnset(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}
