/**
 * The AMI wire format, in one place. A message is lines of "Key: value" ended by CRLF, closed by
 * an empty line; a connection starts with the greeting line "Asterisk Call Manager/<version>".
 * Pure: bytes in, messages out (and the reverse), no sockets.
 *
 * A parsed message is a record keyed by lower-cased header names (AMI names are case-insensitive);
 * a header that repeats (Command's "Output:", Originate's "Variable:") has its values joined by "\n".
 */
export type AmiMessage = Record<string, string>;

export type ParsedItem =
  | { kind: "greeting"; version: string }
  | { kind: "message"; message: AmiMessage }
  /** A frame that broke the format; its bytes were skipped, the stream goes on. */
  | { kind: "malformed"; reason: string; sample: string }
  /**
   * A frame grew past maxFrameBytes without its closing empty line. Its bytes are skipped up to
   * that line; a client should rather drop the link (a PBX that sends this is not speaking AMI).
   */
  | { kind: "oversized"; limit: number; sample: string };

export interface ParserOptions {
  /** True on the client side: the first line is the greeting, not a header. */
  expectGreeting: boolean;
  /** A frame larger than this is dropped whole (an Asterisk event is a few KiB at most). */
  maxFrameBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Linear in the bytes it is given, however they are split: the leftover of a partial frame is kept
 * with the position its scan for the frame's end had reached, so no byte is scanned twice (a
 * reader that re-splits its whole leftover on every chunk is quadratic: 100k lines took 16 s), and
 * the leftover never grows past maxFrameBytes.
 */
export class AmiParser {
  /** Unparsed bytes are buf[0, len): the buffer grows by doubling, so appending is linear too. */
  private buf: Buffer = Buffer.alloc(0);
  private len = 0;
  /** Where the search for the current frame's end resumes, as an offset into the pending bytes. */
  private scanFrom = 0;
  private greetingDone: boolean;
  /** Bytes of an oversized frame still being skipped, until its closing empty line. */
  private skipping = false;
  private readonly maxFrameBytes: number;

  constructor(opts: ParserOptions) {
    this.greetingDone = !opts.expectGreeting;
    this.maxFrameBytes = opts.maxFrameBytes ?? 1024 * 1024;
  }

  push(chunk: Buffer): ParsedItem[] {
    const out: ParsedItem[] = [];
    this.append(chunk);
    const data = this.buf.subarray(0, this.len);
    let start = 0;
    if (!this.greetingDone) {
      const eol = data.indexOf(LF);
      if (eol === -1) return this.keep(data, start, out);
      const line = data.toString("utf8", 0, eol).replace(/\r$/, "");
      this.greetingDone = true;
      start = eol + 1;
      const m = /^Asterisk Call Manager\/(\S+)/.exec(line);
      out.push(m ? { kind: "greeting", version: m[1]! } : { kind: "malformed", reason: "no AMI greeting", sample: line.slice(0, 80) });
    }
    for (;;) {
      const end = findFrameEnd(data, start, Math.max(start, this.scanFrom));
      if (end === null) {
        // The frame's end is not here yet: the next search starts where this one stopped (minus the
        // bytes of a terminator that may straddle two chunks).
        this.scanFrom = Math.max(start, data.length - 2);
        break;
      }
      if (this.skipping) this.skipping = false;
      else if (end.bodyEnd > start) out.push(parseFrame(data.toString("utf8", start, end.bodyEnd)));
      start = end.next;
      this.scanFrom = start;
    }
    return this.keep(data, start, out);
  }

  private append(chunk: Buffer): void {
    if (this.len + chunk.length > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.len + chunk.length, this.buf.length * 2, 16 * 1024));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    chunk.copy(this.buf, this.len);
    this.len += chunk.length;
  }

  /** Drops the bytes before `start`; what stays is one partial frame, at most one read's worth after a frame ended. */
  private keep(data: Buffer, start: number, out: ParsedItem[]): ParsedItem[] {
    const rest = data.length - start;
    if (rest > this.maxFrameBytes) {
      if (!this.skipping) out.push({ kind: "oversized", limit: this.maxFrameBytes, sample: data.toString("latin1", start, start + 80) });
      this.skipping = true;
      // Keep the last bytes: the frame's closing empty line may straddle this chunk and the next.
      this.buf = Buffer.from(data.subarray(data.length - 3));
      this.len = 3;
      this.scanFrom = 0;
      return out;
    }
    this.scanFrom -= start;
    if (start > 0) data.copy(this.buf, 0, start, data.length);
    this.len = rest;
    // A large frame grew the buffer: give the memory back once it is parsed.
    if (this.buf.length > 256 * 1024 && rest < 16 * 1024) this.buf = Buffer.from(this.buf.subarray(0, rest));
    return out;
  }
}

/**
 * The end of the frame that starts at `start`: an empty line (LF LF or LF CR LF), searched for from
 * `scanFrom` (the bytes before it were searched already).
 */
function findFrameEnd(buf: Buffer, start: number, scanFrom: number): { bodyEnd: number; next: number } | null {
  let i = buf.indexOf(LF, scanFrom);
  while (i !== -1) {
    const a = buf[i + 1];
    if (a === LF) return { bodyEnd: trimCr(buf, i, start), next: i + 2 };
    if (a === CR && buf[i + 2] === LF) return { bodyEnd: trimCr(buf, i, start), next: i + 3 };
    if (a === undefined || (a === CR && buf[i + 2] === undefined)) return null;
    // A frame that starts with an empty line (stray CRLF between frames) is skipped.
    i = buf.indexOf(LF, i + 1);
  }
  return null;
}

function trimCr(buf: Buffer, lf: number, from: number): number {
  return lf > from && buf[lf - 1] === CR ? lf - 1 : lf;
}

function parseFrame(text: string): ParsedItem {
  const message: AmiMessage = {};
  for (const line of text.split(/\r?\n/)) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) return { kind: "malformed", reason: "a line without 'Key: value'", sample: line.slice(0, 80) };
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
    message[key] = key in message ? `${message[key]}\n${value}` : value;
  }
  return Object.keys(message).length ? { kind: "message", message } : { kind: "malformed", reason: "empty frame", sample: text.slice(0, 80) };
}

/** Values bound for the wire may not carry CR, LF or NUL: they would end the header or the message. */
export const unsafeValue = /[\r\n\0]/;

/**
 * Encodes one message (action or event) with headers in the order given. Repeated headers are
 * separate pairs. Throws on a CR, LF or NUL in any key or value: callers validate first, this is
 * the last line of defence against AMI header injection.
 */
export function encodeMessage(headers: [string, string][]): string {
  let out = "";
  for (const [k, v] of headers) {
    if (unsafeValue.test(k) || unsafeValue.test(v) || k.includes(":")) throw new Error(`unsafe AMI header ${JSON.stringify(k)}`);
    out += `${k}: ${v}\r\n`;
  }
  return `${out}\r\n`;
}
