// Command-line flags of the benchmark scripts: `--name value` options and `--name` switches.
const args = process.argv.slice(2);

/** The value after `--name`, or `fallback`. */
export function option(name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
}

/** Whether `--name` was given. */
export function flag(name: string): boolean {
  return args.includes(`--${name}`);
}
