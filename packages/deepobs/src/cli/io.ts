/** Where the command writes: stdout for results, stderr for progress and errors (tests capture both). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (live progress bar) or a log (one line per epoch). */
  interactive: boolean;
}

export const processIo: CliIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  interactive: Boolean(process.stderr.isTTY),
};
