/** What can go wrong talking to the PBX, as codes the rest of the server can act on. */
export type PbxErrorCode =
  | "NOT_CONNECTED"
  | "TIMEOUT"
  | "INVALID_ARGUMENT"
  | "AUTH_FAILED"
  | "CHANNEL_NOT_FOUND"
  | "INTERFACE_NOT_FOUND"
  | "ALREADY_MEMBER"
  | "NOT_MEMBER"
  | "NOTHING_TO_STOP"
  | "PERMISSION_DENIED"
  | "UNKNOWN_ACTION"
  | "ACTION_FAILED";

export class PbxError extends Error {
  constructor(
    public readonly code: PbxErrorCode,
    message: string,
    public readonly field?: string,
  ) {
    super(message);
    this.name = "PbxError";
  }
}

/** Asterisk's error messages (as seen in the Asterisk 22 transcripts) → our codes. */
const known: [RegExp, PbxErrorCode][] = [
  [/^No such channel/i, "CHANNEL_NOT_FOUND"],
  [/^Channel not specified|^Channel .* does not exist/i, "CHANNEL_NOT_FOUND"],
  [/^Interface not found/i, "INTERFACE_NOT_FOUND"],
  [/Unable to add interface: Already there/i, "ALREADY_MEMBER"],
  [/Unable to remove interface: Not there/i, "NOT_MEMBER"],
  [/Could not stop monitoring channel/i, "NOTHING_TO_STOP"],
  [/Authentication failed/i, "AUTH_FAILED"],
  [/Permission denied/i, "PERMISSION_DENIED"],
  [/Invalid\/unknown command/i, "UNKNOWN_ACTION"],
];

export function pbxErrorFromMessage(action: string, message: string | undefined): PbxError {
  const text = message ?? "no message";
  const code = known.find(([re]) => re.test(text))?.[1] ?? "ACTION_FAILED";
  return new PbxError(code, `${action}: ${text}`);
}
