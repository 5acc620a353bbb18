import WebSocket from "ws";
import type { StreamEvent } from "../../server/integration/event-log.js";

/**
 * A /api/stream connection to the server at `baseUrl` (http://host:port) that keeps every message
 * and lets a test wait for one. Without a token, no authorization header is sent; `query` is
 * appended as it is (e.g. "?after=12").
 */
export function openStream(baseUrl: string, token?: string | null, query = "") {
  const ws = new WebSocket(`${baseUrl.replace("http", "ws")}/api/stream${query}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const messages: StreamEvent[] = [];
  const waiters: { test: () => boolean; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (!w.test()) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  ws.on("message", (data) => {
    messages.push(JSON.parse(String(data)) as StreamEvent);
    check();
  });
  ws.on("error", () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: String(reason) })));
  return {
    ws,
    messages,
    closed,
    opened: new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("unexpected-response", (_req, res) => reject(Object.assign(new Error(`refused: ${res.statusCode}`), { status: res.statusCode })));
      ws.once("error", reject);
    }),
    /** Resolves once the messages satisfy `test` (checked at each message: no polling, no sleep). */
    until(test: (m: StreamEvent[]) => boolean): Promise<void> {
      return new Promise((resolve) => {
        waiters.push({ test: () => test(messages), resolve });
        check();
      });
    },
  };
}

export type StreamClient = ReturnType<typeof openStream>;
