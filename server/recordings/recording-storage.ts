import fs from "node:fs";
import path from "node:path";

/**
 * Where playable recordings live: a key ("2026/12/03/17-mix.opus") per file. The local store keeps
 * them under RECORDINGS_DIR by date; a shared or object store implements the same four calls.
 */
export interface RecordingStorage {
  /** Moves a finished local file in under `key` (atomically: a reader never sees half a file). */
  put(localFile: string, key: string): Promise<void>;
  /** Size in bytes, or null when it is not there. */
  size(key: string): Promise<number | null>;
  /** Bytes [start, end] (inclusive) of the file. */
  read(key: string, range?: { start: number; end: number }): NodeJS.ReadableStream;
  remove(key: string): Promise<void>;
}

/** Keys are made by the server, never taken from a request; still, nothing outside the root is reachable. */
const keyPattern = /^\d{4}\/\d{2}\/\d{2}\/[0-9a-z-]+\.(opus|wav)$/;

export class LocalRecordingStorage implements RecordingStorage {
  constructor(readonly root: string) {}

  /** A key for a recording's file, by the day the call ended. */
  static keyFor(day: Date, name: string): string {
    const y = day.getUTCFullYear();
    const m = String(day.getUTCMonth() + 1).padStart(2, "0");
    const d = String(day.getUTCDate()).padStart(2, "0");
    return `${y}/${m}/${d}/${name}`;
  }

  private pathOf(key: string): string {
    if (!keyPattern.test(key)) throw new Error(`not a recording key: ${JSON.stringify(key)}`);
    return path.join(this.root, key);
  }

  async put(localFile: string, key: string): Promise<void> {
    const dest = this.pathOf(key);
    await fs.promises.mkdir(path.dirname(dest), { recursive: true });
    const tmp = `${dest}.part`;
    // A rename only works on one filesystem; the temp file may be elsewhere.
    await fs.promises.copyFile(localFile, tmp);
    await fs.promises.rename(tmp, dest);
  }

  async size(key: string): Promise<number | null> {
    const st = await fs.promises.stat(this.pathOf(key)).catch(() => null);
    return st?.isFile() ? st.size : null;
  }

  read(key: string, range?: { start: number; end: number }): NodeJS.ReadableStream {
    return fs.createReadStream(this.pathOf(key), range ? { start: range.start, end: range.end } : {});
  }

  async remove(key: string): Promise<void> {
    await fs.promises.rm(this.pathOf(key), { force: true });
  }
}
