import crypto from "node:crypto";
import path from "node:path";
import type { AmiMessage } from "../ami-codec.js";
import { channelBlock, onChannel, type Pairs } from "./sim-events.js";
import type { SimPbx } from "./sim-pbx.js";

export interface ActionIo {
  /** The action's response; the first pair is the Response header. */
  reply(pairs: Pairs): void;
  /** An event sent on this connection only (OriginateResponse). */
  event(pairs: Pairs): void;
  /** An event list answer: start, items, Complete. */
  list(items: Pairs[], completeName: string): void;
}

const ok = (message?: string): Pairs => [["Response", "Success"], ...(message ? ([["Message", message]] as Pairs) : [])];
const err = (message: string): Pairs => [["Response", "Error"], ["Message", message]];

/** Recordings started through AMI, by channel: the id StopMixMonitor needs. */
const mixMonitors = new Map<string, string>();

/** Every action but Login/Logoff/Ping/Events/QueueStatus, answered as Asterisk 22 answers it. */
export function answerAction(pbx: SimPbx, m: AmiMessage, io: ActionIo): void {
  const action = (m.action ?? "").toLowerCase();
  switch (action) {
    case "originate": {
      const target = /^(?:PJSIP\/|Local\/)([0-9]{2,8})(?:@[A-Za-z0-9_-]+)?$/.exec(m.channel ?? "");
      if (!target) return io.reply(err("Invalid channel"));
      const cid = /^"?([^"<]*)"?\s*<([^>]*)>$/.exec(m.callerid ?? "") ?? [null, m.callerid ?? "", m.callerid ?? ""];
      const variables: Record<string, string> = {};
      for (const line of (m.variable ?? "").split("\n").filter(Boolean)) {
        const eq = line.indexOf("=");
        if (eq > 0) variables[line.slice(0, eq)] = line.slice(eq + 1);
      }
      io.reply(ok("Originate successfully queued"));
      pbx.originate({
        ext: target[1]!,
        context: m.context,
        exten: m.exten,
        application: m.application,
        data: m.data,
        callerIdName: (cid[1] ?? "").trim(),
        callerIdNum: cid[2] ?? "",
        variables,
        timeoutMs: m.timeout && /^\d+$/.test(m.timeout) ? Number(m.timeout) : undefined,
        // A broadcast event of class call, like any other (a link that logged in with Events: off
        // does not get it), carrying the ActionID of the Originate it answers.
        report: (pairs) => pbx.emit("event", [["Event", "OriginateResponse"], ["Privilege", "call,all"], ["ActionID", m.actionid ?? ""], ...pairs]),
      });
      return;
    }
    case "queuesummary": {
      const items = pbx.config.queues
        .filter((q) => !m.queue || m.queue === q.name)
        .map((q): Pairs => {
          const members = pbx.members.get(q.name) ?? [];
          const waiting = pbx.waiting(q.name);
          return [
            ["Event", "QueueSummary"], ["Queue", q.name], ["LoggedIn", String(members.length)],
            ["Available", String(members.filter((x) => !x.paused && x.status === 1).length)], ["Callers", String(waiting.length)],
            ["HoldTime", "0"], ["TalkTime", "0"], ["LongestHoldTime", String(Math.max(0, ...waiting.map((w) => w.waitSeconds)))],
          ];
        });
      return io.list(items, "QueueSummaryComplete");
    }
    case "coreshowchannels": {
      const items = pbx.liveChannels().map((c): Pairs => [["Event", "CoreShowChannel"], ...channelBlock(c), ["Application", pbx.applicationOf(c.name)[0]], ["ApplicationData", pbx.applicationOf(c.name)[1]], ["Duration", hms(Math.max(0, Math.floor(Date.now() / 1000) - Number(c.uniqueid.replace(/^.*-/, "").split(".")[0])))], ["BridgeId", pbx.bridgeOf(c.name)]]);
      return io.list(items, "CoreShowChannelsComplete");
    }
    case "queuepause": {
      const paused = /^(true|yes|1|on)$/i.test(m.paused ?? "");
      if (!pbx.pauseMember(m.interface ?? "", m.queue, paused, m.reason ?? "")) return io.reply(err("Interface not found"));
      return io.reply(ok(paused ? "Interface paused successfully" : "Interface unpaused successfully"));
    }
    case "queueadd": {
      const r = pbx.addMember(m.queue ?? "", m.interface ?? "", m.membername ?? m.interface ?? "", Number(m.penalty ?? 0));
      if (r === "exists") return io.reply(err("Unable to add interface: Already there"));
      if (r === "no-queue") return io.reply(err("Unable to add interface to queue: No such queue"));
      return io.reply(ok("Added interface to queue"));
    }
    case "queueremove":
      return io.reply(pbx.removeMember(m.queue ?? "", m.interface ?? "") ? ok("Removed interface from queue") : err("Unable to remove interface: Not there"));
    case "hangup":
      return io.reply(pbx.hangupByChannel(m.channel ?? "") ? ok("Channel Hungup") : err("No such channel"));
    case "setvar": {
      // Asterisk reports a channel variable set by AMI as VarSet on that channel, like the dialplan's.
      const ch = pbx.liveChannels().find((c) => c.name === m.channel);
      if (m.channel && !ch) return io.reply(err("Channel not found"));
      if (!m.variable) return io.reply(err("No variable specified"));
      io.reply(ok("Variable Set"));
      if (ch) pbx.emit("event", onChannel("VarSet", ch, [["Variable", m.variable], ["Value", m.value ?? ""]]));
      return;
    }
    case "blindtransfer":
      return io.reply(pbx.blindTransfer(m.channel ?? "", m.exten ?? "", m.context ?? "") ? ok("Transfer succeeded") : err("No such channel"));
    case "redirect": {
      // Redirecting the customer's channel out of the bridge is how a CRM transfers it.
      const ch = pbx.liveChannels().find((c) => c.name === m.channel);
      if (!ch) return io.reply(err(`Channel does not exist: ${m.channel ?? ""}`));
      const agentLeg = pbx.liveChannels().find((c) => c.linkedid === ch.linkedid && c.name !== ch.name && c.state === 6);
      pbx.blindTransfer(agentLeg?.name ?? ch.name, m.exten ?? "", m.context ?? "");
      return io.reply(ok("Redirect successful"));
    }
    case "mixmonitor": {
      const ch = pbx.liveChannels().find((c) => c.name === m.channel);
      if (!ch) return io.reply(err("No such channel"));
      const id = `0x${crypto.randomBytes(6).toString("hex")}`;
      mixMonitors.set(ch.name, id);
      io.reply([...ok(), ["MixMonitorID", id]]);
      pbx.publish(onChannel("VarSet", ch, [["Variable", "MIXMONITOR_FILENAME"], ["Value", path.posix.join(pbx.config.monitorDir, m.file ?? `${ch.uniqueid}.wav`)]]));
      pbx.publish(onChannel("MixMonitorStart", ch));
      return;
    }
    case "stopmixmonitor": {
      const ch = pbx.liveChannels().find((c) => c.name === m.channel);
      if (!ch || !mixMonitors.delete(ch.name)) return io.reply(err("Could not stop monitoring channel"));
      io.reply(ok());
      pbx.publish(onChannel("MixMonitorStop", ch));
      return;
    }
    case "mixmonitormute": {
      const ch = pbx.liveChannels().find((c) => c.name === m.channel);
      if (!ch) return io.reply(err("No such channel"));
      const dir = (m.direction ?? "both").toLowerCase();
      if (!["read", "write", "both"].includes(dir)) return io.reply(err("Invalid direction specified. Must be read, write or both"));
      io.reply(ok());
      pbx.publish(onChannel("MixMonitorMute", ch, [["Direction", dir], ["State", m.state === "1" ? "1" : "0"]]));
      return;
    }
    case "command":
      if ((m.command ?? "").trim() === "core show version")
        return io.reply([...ok("Command output follows"), ["Output", "Asterisk 22.10.1 built by crm-simulator"]]);
      return io.reply([...ok("Command output follows"), ["Output", `No such command '${m.command ?? ""}' (type 'core show help ${m.command ?? ""}' for other possible commands)`]]);
    default:
      return io.reply(err(`Invalid/unknown command: ${m.action ?? ""}. Use Action: ListCommands to show available commands.`));
  }
}

/** Seconds as CoreShowChannel's Duration writes them: HH:MM:SS. */
function hms(s: number): string {
  return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, "0")).join(":");
}
