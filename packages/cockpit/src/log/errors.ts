/** A Cockpit log that does not have the expected structure; `where` is file, step and key, e.g. `run.json "3".GradHist1d.edges`. */
export class LogFormatError extends Error {
  constructor(
    readonly where: string,
    detail: string,
  ) {
    super(`${where}: ${detail}`);
    this.name = 'LogFormatError';
  }
}
