/**
 * What an image-hygiene detector reports. `kind` is the stable id a check maps to; `evidence` holds only
 * facts safe to print (never secret values).
 */
export type HygieneKind =
  | 'runs-as-root'
  | 'shell-present'
  | 'package-manager-present'
  | 'setuid-file'
  | 'setgid-file'
  | 'secret-in-layer'
  | 'os-end-of-life';

export interface HygieneFinding {
  readonly kind: HygieneKind;
  readonly message: string;
  /** Layer the evidence is in (absent for image-config findings). */
  readonly layerDigest?: string;
  readonly path?: string;
  readonly evidence?: Readonly<Record<string, string | number>>;
}
