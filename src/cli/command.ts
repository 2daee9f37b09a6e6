// The one shape every bsfnet command has: src/cli/<name>.ts exports `command: Command`, and main.ts
// dispatches to it. A command returns its exit code and throws a typed error (src/errors.ts) for a
// failure; main.ts's one handler turns that into a message and an exit code (src/cli/errors.ts).

/** Where a command writes: one line (no trailing newline) per call. Tests pass collectors. */
export interface CliIO {
  out(s: string): void;
  err(s: string): void;
}

export interface Command {
  /** The word after `bsfnet`. */
  name: string;
  /** One line for `bsfnet --help`. */
  summary: string;
  /** What `bsfnet <name> --help` prints; usage errors append it. */
  usage: string;
  /** argv is what follows the command name. Resolves to the exit code (0 on success). */
  run(argv: string[], io: CliIO): Promise<number>;
}

/** The process's stdout and stderr. */
export const stdio: CliIO = {
  out: (s) => console.log(s),
  err: (s) => void process.stderr.write(`${s}\n`),
};
