/**
 * The catalogers an image scan runs: the one list, DEFAULT_CATALOGERS of src/image/catalogers (os-release runs
 * first inside catalogImage). Kept under this name for the callers that import it from here.
 */
export { DEFAULT_CATALOGERS as IMAGE_CATALOGERS } from '../../image/catalogers/default-catalogers.js';
