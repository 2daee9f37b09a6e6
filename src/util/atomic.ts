// Atomic file writes: write beside the target, fsync, then rename over it, so a crash leaves
// either the old file or the new one, never a partial file. A symlink stays a symlink (the file it
// points to is replaced, not the link), and what is not a regular file (/dev/stdout, a pipe) is
// written directly: renaming over a device is neither possible nor wanted. Errors name the
// caller's path, never the temporary file.
import { open, realpath, rename, stat, unlink, writeFile, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

function named(path: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  const why =
    err.code === "ENOENT"
      ? "the directory does not exist"
      : err.code === "EACCES" || err.code === "EPERM"
        ? "permission denied"
        : err.code === "EISDIR"
          ? "is a directory"
          : err.message;
  return Object.assign(new Error(`cannot write ${path}: ${why}`), {
    code: err.code ?? "EIO",
    syscall: err.syscall ?? "open",
    path,
  });
}

// The process's own streams: opening /dev/stdout fails (ENXIO) when it is a socket, as a Node
// parent's pipe is, so these names write to the stream itself.
const STREAMS: Readonly<Record<string, 1 | 2>> = {
  "/dev/stdout": 1,
  "/dev/fd/1": 1,
  "/proc/self/fd/1": 1,
  "/dev/stderr": 2,
  "/dev/fd/2": 2,
  "/proc/self/fd/2": 2,
};

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const fd = STREAMS[path];
  if (fd) {
    const stream = fd === 1 ? process.stdout : process.stderr;
    await new Promise<void>((res, rej) => stream.write(data, (e) => (e ? rej(named(path, e)) : res())));
    return;
  }
  let target = path;
  try {
    target = await realpath(path); // through symlinks
  } catch {
    // does not exist yet (or a dangling link): write at the path given
  }
  const st = await stat(target).catch(() => undefined);
  if (st?.isDirectory()) throw named(path, Object.assign(new Error("EISDIR"), { code: "EISDIR" }));
  if (st && !st.isFile()) {
    try {
      await writeFile(target, data);
      return;
    } catch (e) {
      throw named(path, e);
    }
  }
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  let fh: FileHandle;
  try {
    fh = await open(tmp, "wx");
  } catch (e) {
    throw named(path, e);
  }
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    throw named(path, e);
  }
  await fh.close();
  try {
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw named(path, e);
  }
}
