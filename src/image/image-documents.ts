/**
 * The JSON documents of an image, as zod models: OCI image index / Docker manifest list, OCI image manifest / Docker
 * manifest v2 schema 2, image config, and `docker save`'s manifest.json. Only the fields Aspis reads are modelled;
 * unknown fields pass. A document that does not fit names the document and the field.
 */
import { z } from 'zod';
import { isIndexMediaType, isManifestMediaType } from './media-types.js';

const digestString = z.string().regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/, 'not a digest (algorithm:hex)');

export const descriptorSchema = z.object({
  mediaType: z.string(),
  digest: digestString,
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: z
    .object({
      os: z.string(),
      architecture: z.string(),
      variant: z.string().optional(),
      'os.version': z.string().optional(),
    })
    .optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;

export const imageIndexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ImageIndex = z.infer<typeof imageIndexSchema>;

export const imageManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ImageManifest = z.infer<typeof imageManifestSchema>;

export const imageConfigSchema = z.object({
  architecture: z.string().optional(),
  os: z.string().optional(),
  variant: z.string().optional(),
  created: z.string().optional(),
  config: z
    .object({
      User: z.string().optional(),
      Env: z.array(z.string()).nullish(),
      Entrypoint: z.array(z.string()).nullish(),
      Cmd: z.array(z.string()).nullish(),
      WorkingDir: z.string().optional(),
      Labels: z.record(z.string(), z.string()).nullish(),
      ExposedPorts: z.record(z.string(), z.unknown()).nullish(),
    })
    .nullish(),
  rootfs: z.object({ type: z.string(), diff_ids: z.array(digestString) }),
  history: z
    .array(z.object({ created_by: z.string().optional(), empty_layer: z.boolean().optional(), comment: z.string().optional() }))
    .optional(),
});
export type ImageConfig = z.infer<typeof imageConfigSchema>;

/** One image of `docker save`'s manifest.json. */
export const dockerArchiveManifestSchema = z.array(
  z.object({
    Config: z.string(),
    RepoTags: z.array(z.string()).nullish(),
    Layers: z.array(z.string()),
    LayerSources: z.record(z.string(), descriptorSchema).optional(),
  }),
);
export type DockerArchiveManifest = z.infer<typeof dockerArchiveManifestSchema>;

/** Either an index (several manifests) or one image manifest. */
export type ManifestDocument = { kind: 'index'; index: ImageIndex } | { kind: 'manifest'; manifest: ImageManifest };

/** Parses JSON bytes against a model; errors name `what` (a file, blob digest or URL) and the failing field. */
export function parseDocument<T>(schema: z.ZodType<T>, bytes: Uint8Array | string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes));
  } catch (error) {
    throw new Error(`${what}: not valid JSON (${(error as Error).message})`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    throw new Error(`${what}: ${field || '(document)'}: ${issue.message}`);
  }
  return result.data;
}

/**
 * An index or a manifest, told apart by the media type the server or the parent descriptor gave, else by the
 * document's own mediaType, else by its shape (`manifests` vs `layers`).
 */
export function parseManifestDocument(bytes: Uint8Array, mediaType: string | undefined, what: string): ManifestDocument {
  let declared = mediaType;
  let shape: Record<string, unknown> = {};
  try {
    shape = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    // parseDocument below reports it.
  }
  if (!isIndexMediaType(declared) && !isManifestMediaType(declared)) {
    declared = typeof shape.mediaType === 'string' ? shape.mediaType : undefined;
  }
  const isIndex = isIndexMediaType(declared) || (!isManifestMediaType(declared) && Array.isArray(shape.manifests));
  if (isIndex) return { kind: 'index', index: parseDocument(imageIndexSchema, bytes, what) };
  if (declared !== undefined && !isManifestMediaType(declared) && !Array.isArray(shape.layers)) {
    throw new Error(`${what}: unknown manifest media type "${declared}"`);
  }
  return { kind: 'manifest', manifest: parseDocument(imageManifestSchema, bytes, what) };
}
