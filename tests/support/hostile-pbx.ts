import net from "node:net";

/**
 * A hostile PBX: a TCP server that greets, answers the Login (or not) and then sends whatever a
 * test scripts, including frames that crashed, froze or closed the link under asterisk-manager.
 */
export class HostilePbx {
  private readonly server: net.Server;
  readonly sockets = new Set<net.Socket>();
  /** Called with each accepted socket and the ActionID of its Login, once the Login arrived. */
  onLogin: (sock: net.Socket, actionId: string) => void = (sock, id) => sock.write(`Response: Success\r\nActionID: ${id}\r\nMessage: Authentication accepted\r\n\r\n`);
  /** Any other action (lower-cased name): unanswered unless set. */
  onAction: (sock: net.Socket, action: string, actionId: string) => void = () => {};
  /** Bytes sent right after the greeting, before the Login is answered. */
  beforeLogin = "";
  logins = 0;

  constructor() {
    this.server = net.createServer((sock) => {
      this.sockets.add(sock);
      sock.on("close", () => this.sockets.delete(sock));
      sock.on("error", () => {});
      sock.write(`Asterisk Call Manager/11.0.0\r\n${this.beforeLogin}`);
      let buf = "";
      sock.on("data", (d) => {
        buf += d.toString("latin1");
        let end: number;
        while ((end = buf.indexOf("\r\n\r\n")) !== -1) {
          const frame = buf.slice(0, end);
          buf = buf.slice(end + 4);
          const action = /^Action: (.*)$/im.exec(frame)?.[1]?.toLowerCase();
          const id = /^ActionID: (.*)$/im.exec(frame)?.[1] ?? "";
          if (action === "login") {
            this.logins++;
            this.onLogin(sock, id);
          } else if (action === "logoff") sock.end(`Response: Goodbye\r\nActionID: ${id}\r\nMessage: Thanks for all the fish.\r\n\r\n`);
          else if (action === "ping") sock.write(`Response: Success\r\nActionID: ${id}\r\nPing: Pong\r\nTimestamp: 1.0\r\n\r\n`);
          else if (action) this.onAction(sock, action, id);
        }
      });
    });
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((r) => this.server.listen(port, "127.0.0.1", () => r()));
    return (this.server.address() as net.AddressInfo).port;
  }

  send(text: string): void {
    for (const s of this.sockets) s.write(text);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}
