/** Exit codes of every aspis command. */
export const EXIT = {
  ok: 0,
  /** Findings at or above --fail-on. */
  findings: 1,
  /** Input, configuration or usage problems: some of the input could not be scanned. The rest still was. */
  error: 2,
  usage: 2,
} as const;
