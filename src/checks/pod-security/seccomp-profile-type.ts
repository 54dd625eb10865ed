/** Seccomp profile types Pod Security accepts in securityContext.seccompProfile.type (baseline and restricted). */
export const ALLOWED_SECCOMP_TYPES: ReadonlySet<unknown> = new Set(['RuntimeDefault', 'Localhost']);
