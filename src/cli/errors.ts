// The CLI's one error-to-exit-code mapping, used by main.ts's top-level handler only.
//
//   2  the user's input or options are wrong, and the message says which: ConfigError (an option,
//      an argument, a value out of range), DataError (a CSV file: missing, unreadable, a bad
//      cell), ModelFileError (a model file: missing, truncated, corrupt, unknown version),
//      ShapeError (data or a model whose shapes do not fit each other: in the CLI both come from
//      the user's files), and a failed file-system call (ENOENT, EACCES, EISDIR, ... on a path the
//      user named, e.g. -o into a missing directory).
//   1  the input was acceptable but the run failed: DivergenceError (training went non-finite),
//      WasmLoadError (a broken install: the wasm module is missing or stale), OutOfMemoryError and
//      any other BsfnetError; and any other exception, which is a bug.
//
// Typed errors and file-system errors print one line, `bsfnet: <message>` (no stack: they are
// not bugs); anything else prints its stack.
import { BsfnetError, ConfigError, DataError, ModelFileError, ShapeError } from "../errors.js";

/** A Node file-system error: has a code such as "ENOENT" and the failed syscall. */
function isSystemError(e: unknown): e is Error & { code: string; syscall: string } {
  return (
    e instanceof Error &&
    typeof (e as { code?: unknown }).code === "string" &&
    typeof (e as { syscall?: unknown }).syscall === "string"
  );
}

export function exitCodeOf(e: unknown): 1 | 2 {
  if (e instanceof ConfigError || e instanceof DataError || e instanceof ModelFileError || e instanceof ShapeError)
    return 2;
  if (isSystemError(e)) return 2;
  return 1;
}

/** What the handler prints for e (may span lines when a usage text is appended to the message). */
export function errorMessageOf(e: unknown): string {
  if (e instanceof BsfnetError || isSystemError(e)) return `bsfnet: ${e.message}`;
  return `bsfnet: unexpected error: ${(e as Error)?.stack ?? String(e)}`;
}
