/** Something wrong with an image's input (a layer, an entry, a document), reported without stopping the scan. */
export interface ImageProblem {
  /** The layer digest, blob, file or URL the problem is in. */
  readonly where: string;
  /** The tar entry (as named in the layer) when the problem is one entry. */
  readonly entry?: string;
  readonly message: string;
}

export function formatImageProblem(p: ImageProblem): string {
  return `${p.where}${p.entry !== undefined ? `: ${JSON.stringify(p.entry)}` : ''}: ${p.message}`;
}
