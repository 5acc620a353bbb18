// A hostile PBX in its own process (so generating frames costs the measured process nothing):
// accepts any Login, then streams FUZZ_FRAMES frames from the fuzz generator, honouring TCP
// backpressure, answers Pings and list actions (empty lists), and prints "port <n>" when listening
// and "sent <frames>" when done.
import type net from "node:net";
import { fuzzFrames } from "../../tests/support/ami-fuzz-frames.js";
import { HostilePbx } from "../../tests/support/hostile-pbx.js";

const total = Number(process.env.FUZZ_FRAMES ?? 1_000_000);
const pbx = new HostilePbx();
let streaming = false;
pbx.onLogin = (sock, id) => {
  sock.write(`Response: Success\r\nActionID: ${id}\r\nMessage: Authentication accepted\r\n\r\n`);
  if (streaming) return;
  streaming = true;
  stream(sock);
};
pbx.onAction = (sock, action, id) =>
  sock.write(`Response: Success\r\nActionID: ${id}\r\nEventList: start\r\n\r\nEvent: ${action === "queuestatus" ? "QueueStatusComplete" : "CoreShowChannelsComplete"}\r\nActionID: ${id}\r\nEventList: Complete\r\nListItems: 0\r\n\r\n`);

function stream(sock: net.Socket): void {
  const gen = fuzzFrames(20261202);
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      let chunk = "";
      for (let i = 0; i < 200 && sent < total; i++, sent++) chunk += gen.next();
      if (!sock.write(Buffer.from(chunk, "latin1"))) return void sock.once("drain", pump);
    }
    // Close any frame the garbage left open, so the Ping after it is read as a Ping.
    sock.write("\r\n\r\n");
    console.log(`sent ${sent}`);
  };
  pump();
}

console.log(`port ${await pbx.listen()}`);
