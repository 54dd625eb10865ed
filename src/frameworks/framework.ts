/** A control of a framework and the checks that evidence it. The only place a check → control mapping lives. */
export interface Control {
  id: string;
  title: string;
  /** Check ids that fail when this control is not met. */
  checks: readonly string[];
}

export interface Framework {
  /** Stable id used on the command line (`--framework nsa-cisa`). */
  id: string;
  name: string;
  version: string;
  url: string;
  controls: readonly Control[];
}
