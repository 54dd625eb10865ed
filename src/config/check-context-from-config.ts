import type { CheckContext } from '../core/model/check-context.js';
import { defaultCheckContext, parsePssVersion } from '../core/model/check-context.js';
import type { AspisConfig } from './parse-config.js';

/** The context checks run with, from `.aspis.yaml` (pssVersion, settings); defaults for what the file does not set. */
export function checkContextFromConfig(config: AspisConfig): CheckContext {
  const ctx = defaultCheckContext();
  // The schema only lets "latest" and v1.N through, so parsing cannot fail here.
  if (config.pssVersion) ctx.pssVersion = parsePssVersion(config.pssVersion);
  if (config.settings?.allowedRegistries) ctx.settings = { ...ctx.settings, allowedRegistries: [...config.settings.allowedRegistries] };
  return ctx;
}
