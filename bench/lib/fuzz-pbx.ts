// A hostile PBX in its own process (so generating frames costs the measured process nothing):
// accepts any Login, then streams FUZZ_FRAMES frames from the fuzz generator, honouring TCP
// backpressure, answers Pings, and prints "port <n>" when listening and "sent <frames>" when done.
import net from "node:net";
import { fuzzFrames } from "../../tests/support/ami-fuzz-frames.js";

const total = Number(process.env.FUZZ_FRAMES ?? 1_000_000);
const server = net.createServer((sock) => {
  sock.on("error", () => {});
  sock.write("Asterisk Call Manager/11.0.0\r\n");
  let buf = "";
  let streaming = false;
  sock.on("data", (d) => {
    buf += d.toString("latin1");
    let end: number;
    while ((end = buf.indexOf("\r\n\r\n")) !== -1) {
      const frame = buf.slice(0, end);
      buf = buf.slice(end + 4);
      const action = /^Action: (.*)$/im.exec(frame)?.[1]?.toLowerCase();
      const id = /^ActionID: (.*)$/im.exec(frame)?.[1] ?? "";
      if (action === "login") {
        sock.write(`Response: Success\r\nActionID: ${id}\r\nMessage: Authentication accepted\r\n\r\n`);
        if (!streaming) {
          streaming = true;
          stream(sock);
        }
      } else if (action === "ping") sock.write(`Response: Success\r\nActionID: ${id}\r\nPing: Pong\r\n\r\n`);
      else if (action) sock.write(`Response: Success\r\nActionID: ${id}\r\nEventList: start\r\n\r\nEvent: ${action === "queuestatus" ? "QueueStatusComplete" : "CoreShowChannelsComplete"}\r\nActionID: ${id}\r\nEventList: Complete\r\nListItems: 0\r\n\r\n`);
    }
  });
});

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

server.listen(0, "127.0.0.1", () => console.log(`port ${(server.address() as net.AddressInfo).port}`));
