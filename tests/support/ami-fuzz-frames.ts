import { pick, seededRandom } from "../../server/demo/random.js";
import { readTrace, traceFiles } from "./traces.js";

type Frame = [string, string][];

/** Every frame of every real transcript, as header pairs in their order. */
function realFrames(): Frame[] {
  const out: Frame[] = [];
  for (const file of traceFiles()) {
    const text = readTrace(file).toString("latin1");
    const body = text.slice(text.indexOf("\r\n") + 2);
    for (const raw of body.split("\r\n\r\n")) {
      if (!raw) continue;
      const pairs = raw.split("\r\n").map((l): [string, string] => {
        const c = l.indexOf(":");
        return c < 0 ? [l, ""] : [l.slice(0, c), l.slice(c + 2)];
      });
      out.push(pairs);
    }
  }
  return out;
}

const eventNames = [
  "Newchannel", "Newstate", "Hangup", "DialBegin", "DialEnd", "QueueCallerJoin", "QueueCallerLeave", "QueueCallerAbandon",
  "AgentCalled", "AgentConnect", "AgentComplete", "AgentRingNoAnswer", "BridgeEnter", "BridgeLeave", "Hold", "Unhold",
  "BlindTransfer", "AttendedTransfer", "LocalBridge", "VarSet", "OriginateResponse", "QueueMemberStatus", "QueueMemberPause",
  "QueueMemberAdded", "QueueMemberRemoved", "UserEvent", "ChanSpyStart", "NewCallerid", "NewConnectedLine",
  "RawEvent", "Close", "error", "connect", "__proto__", "constructor", "CoreShowChannel", "CoreShowChannelsComplete",
];
const idHeaders = ["Uniqueid", "Linkedid", "DestUniqueid", "DestLinkedid", "TransfereeUniqueid", "TransfererUniqueid", "TransfereeLinkedid", "OrigTransfererLinkedid", "SecondTransfererLinkedid", "LocalOneUniqueid", "SpyerLinkedid"];
const oddValues = [
  "", " ", "0", "-1", "99999999999999999999", "NaN", "1e309", "PJSIP/1001", "PJSIP/1001-00000001", "Local/1001@agents-0000;1",
  "\u0000", "caf\u00e9", "\ud800", "\u202e", "%s%n", "'; DROP TABLE calls; --", "${CRM_CLIENT_ID}", "=cmd|' /C calc'!A0",
  "x".repeat(300), "Success", "Failure", "6", "3", "start", "Complete", "ANSWER", "NOANSWER", "rawevent", "error", "close",
];

/**
 * An endless, seeded stream of AMI frames a hostile or broken PBX could send: real transcript frames
 * with ids drawn from a small pool (so unrelated calls collide), headers dropped, repeated, renamed
 * and given odd values, event names swapped, responses to ActionIDs nobody sent, and plain garbage.
 * `next()` gives one frame's bytes (ended by its empty line, except the garbage ones).
 */
export function fuzzFrames(seed: number): { next: () => string } {
  const rnd = seededRandom(seed);
  const real = realFrames();
  const ids = Array.from({ length: 400 }, (_, i) => `17955982${String(i % 20).padStart(2, "0")}.${i}`);
  const exts = ["1001", "1002", "1003", "1004", "99", "12345678"];
  const value = (): string => {
    const r = rnd();
    if (r < 0.35) return pick(rnd, ids);
    if (r < 0.5) return `PJSIP/${pick(rnd, exts)}-0000${Math.floor(rnd() * 100)}`;
    if (r < 0.6) return String(Math.floor(rnd() * 30));
    return pick(rnd, oddValues);
  };
  const mutate = (f: Frame): Frame => {
    const out = f.map((p): [string, string] => [p[0], idHeaders.includes(p[0]) && rnd() < 0.8 ? pick(rnd, ids) : p[1]]);
    const n = Math.floor(rnd() * 4);
    for (let k = 0; k < n; k++) {
      const i = Math.floor(rnd() * out.length);
      const r = rnd();
      if (r < 0.2 && out.length > 1) out.splice(i, 1);
      else if (r < 0.35) out.push([out[i]![0], value()]);
      else if (r < 0.5) out[i] = [out[i]![0].toUpperCase(), out[i]![1]];
      else if (r < 0.65 && out[0]?.[0] === "Event") out[0] = ["Event", pick(rnd, eventNames)];
      else out[i] = [out[i]![0], value()];
    }
    return out;
  };
  const encode = (f: Frame): string => `${f.map(([k, v]) => `${k}: ${v.replace(/[\r\n]/g, " ")}`).join("\r\n")}\r\n\r\n`;
  return {
    next() {
      const r = rnd();
      if (r < 0.55) return encode(mutate(pick(rnd, real)));
      if (r < 0.8) {
        const name = pick(rnd, eventNames);
        const f: Frame = [["Event", name]];
        const headers = 2 + Math.floor(rnd() * 8);
        for (let i = 0; i < headers; i++) f.push([pick(rnd, [...idHeaders, "Channel", "Interface", "Queue", "Status", "Paused", "Variable", "Value", "Cause", "DialStatus", "ActionID", "EventList", "Response"]), value()]);
        return encode(f);
      }
      if (r < 0.9) return encode([["Response", pick(rnd, ["Success", "Error", "Follows", "Goodbye"])], ["ActionID", pick(rnd, ["rawevent", "error", "close", "connect", "crm-1", value()])], ["Message", value()]]);
      // Garbage: random bytes, lines without a colon, a lone CR, NUL, half a frame.
      const len = Math.floor(rnd() * 200);
      let s = "";
      for (let i = 0; i < len; i++) s += String.fromCharCode(Math.floor(rnd() * (rnd() < 0.9 ? 128 : 256)));
      return rnd() < 0.5 ? `${s}\r\n\r\n` : s;
    },
  };
}
