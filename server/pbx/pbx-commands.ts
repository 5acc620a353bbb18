import type { AmiClient } from "./ami-client.js";
import * as v from "./ami-values.js";

/**
 * The PBX command API the rest of the server uses: one function per AMI action, every value
 * checked first (ami-values), failures as PbxError codes. Contexts are the ones in dialplan/.
 */
export class PbxCommands {
  constructor(private readonly ami: AmiClient) {}

  /**
   * Click-to-call and callbacks: ring the agent's own phone first; when they answer, the `callback`
   * context dials the customer through the trunk with the company's caller ID.
   */
  async originateToCustomer(o: { extension: string; number: string; callerName?: string; variables?: Record<string, string>; timeoutMs?: number }): Promise<void> {
    const ext = v.extension("extension", o.extension);
    const number = v.dialNumber("number", o.number);
    const name = v.safeText("callerName", o.callerName ?? `Call ${number}`, 60).replace(/"/g, "'");
    await this.ami.action("Originate", {
      Channel: `PJSIP/${ext}`,
      Context: "callback",
      Exten: number,
      Priority: "1",
      CallerID: `"${name}" <${number}>`,
      Timeout: String(o.timeoutMs ?? 30_000),
      Async: "true",
      Variable: Object.entries(o.variables ?? {}).map(([k, val]) => v.variable(k, val)),
    });
  }

  /** Supervisor listen / whisper / barge: ring the supervisor's phone, then ChanSpy on the agent's. */
  async spy(o: { supervisorExtension: string; agentExtension: string; mode: "listen" | "whisper" | "barge" }): Promise<void> {
    const sup = v.extension("supervisorExtension", o.supervisorExtension);
    const agent = v.extension("agentExtension", o.agentExtension);
    // q: no beep, E: end when the spied channel hangs up; w: whisper to the agent; B: barge into both.
    const flags = { listen: "qE", whisper: "qEw", barge: "qEB" }[o.mode];
    await this.ami.action("Originate", {
      Channel: `PJSIP/${sup}`,
      Application: "ChanSpy",
      Data: `PJSIP/${agent},${flags}`,
      CallerID: `"Supervisor" <${sup}>`,
      Timeout: "20000",
      Async: "true",
      // Set on the supervisor's channel at its creation (VarSet before it rings): the screen pop
      // shows "listening to <agent>" instead of a call from an unknown number.
      Variable: [v.variable("CRM_SPY", `${agent}:${o.mode}`)],
    });
  }

  async pauseMember(o: { extension: string; paused: boolean; reason?: string; queue?: string }): Promise<void> {
    await this.ami.action("QueuePause", {
      Interface: `PJSIP/${v.extension("extension", o.extension)}`,
      Paused: o.paused ? "true" : "false",
      ...(o.queue ? { Queue: v.identifier("queue", o.queue) } : {}),
      ...(o.reason ? { Reason: v.safeText("reason", o.reason, 40) } : {}),
    });
  }

  async addMember(o: { extension: string; queue: string; memberName: string; penalty?: number }): Promise<void> {
    await this.ami.action("QueueAdd", {
      Queue: v.identifier("queue", o.queue),
      Interface: `PJSIP/${v.extension("extension", o.extension)}`,
      MemberName: v.safeText("memberName", o.memberName, 60),
      Penalty: String(Math.max(0, Math.min(100, Math.trunc(o.penalty ?? 0)))),
    });
  }

  async removeMember(o: { extension: string; queue: string }): Promise<void> {
    await this.ami.action("QueueRemove", { Queue: v.identifier("queue", o.queue), Interface: `PJSIP/${v.extension("extension", o.extension)}` });
  }

  /** Blind transfer of whatever is bridged to `channel` (the agent's leg) to an extension or queue. */
  async blindTransfer(o: { channel: string; exten: string; context?: string }): Promise<void> {
    await this.ami.action("BlindTransfer", {
      Channel: v.channelName("channel", o.channel),
      Exten: /^\+?\d+$/.test(o.exten) ? v.dialNumber("exten", o.exten) : v.identifier("exten", o.exten),
      Context: v.identifier("context", o.context ?? "transfer"),
    });
  }

  async redirect(o: { channel: string; exten: string; context: string }): Promise<void> {
    await this.ami.action("Redirect", {
      Channel: v.channelName("channel", o.channel),
      Exten: v.identifier("exten", o.exten.replace(/^\+/, "")),
      Context: v.identifier("context", o.context),
      Priority: "1",
    });
  }

  /**
   * Sets one of our channel variables (CRM_*) on a live channel: Asterisk reports it as VarSet on
   * the event link, so every node's call tracker sees it (the client an agent picked for a call).
   */
  async setVariable(o: { channel: string; name: string; value: string }): Promise<void> {
    const [name, value] = v.variable(o.name, o.value).split(/=(.*)/s) as [string, string];
    await this.ami.action("Setvar", { Channel: v.channelName("channel", o.channel), Variable: name, Value: value });
  }

  async hangup(channel: string): Promise<void> {
    await this.ami.action("Hangup", { Channel: v.channelName("channel", channel) });
  }

  /** Mutes the recording of a channel (e.g. while a card number is read out); the file keeps its length with silence. */
  async muteRecording(o: { channel: string; muted: boolean; direction?: "read" | "write" | "both" }): Promise<void> {
    await this.ami.action("MixMonitorMute", { Channel: v.channelName("channel", o.channel), Direction: o.direction ?? "both", State: o.muted ? "1" : "0" });
  }
}
