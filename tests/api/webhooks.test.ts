import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbKinds } from "../support/databases.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";
import { signature } from "../../server/integration/webhooks.js";

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe.each(dbKinds)("outgoing webhooks (%s)", (db) => {
  let s: TestServer;
  let receiver: http.Server;
  let url = "";
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  /** The receiver fails the first request of each event, then takes it. */
  const seen = new Set<string>();

  beforeAll(async () => {
    s = await startTestServer({ db, env: { WEBHOOK_RETRY_SECONDS: "0.2" } });
    receiver = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        const key = String(req.headers["x-crm-delivery"]);
        const first = !seen.has(key);
        seen.add(key);
        res.writeHead(first ? 503 : 204).end();
        for (const w of waiters.splice(0)) w();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await s?.close();
    await new Promise((r) => receiver?.close(r));
  });

  /** Resolves once the receiver has had `n` requests (at each request: no polling). */
  const requests = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (received.length >= n ? resolve() : waiters.push(check));
      check();
    });

  it("an admin adds a webhook; its events are posted signed, a failed delivery is retried, the log says so", async () => {
    const created = await s.api("POST", "/api/webhooks", { token: s.adminToken, body: { name: "ticketing", url, events: ["client.changed"] } });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    expect((await s.api("GET", "/api/webhooks", { token: s.adminToken })).body.items[0]).toEqual({ id: created.body.id, name: "ticketing", url, events: ["client.changed"], active: true, createdAt: expect.any(String) });
    expect(JSON.stringify((await s.api("GET", "/api/webhooks", { token: s.adminToken })).body)).not.toContain(created.body.secret);

    const client = await s.api("POST", "/api/clients", { token: s.adminToken, body: { name: "Hooked Customer", phones: [] } });
    await requests(2);
    const [first, second] = received as [Received, Received];
    expect(second.body).toBe(first.body);
    expect(second.headers["x-crm-delivery"]).toBe(first.headers["x-crm-delivery"]);
    const event = JSON.parse(second.body);
    expect(event).toMatchObject({ seq: expect.any(Number), type: "client.changed", clientId: client.body.id, at: expect.any(String) });
    expect(second.headers["x-crm-event"]).toBe("client.changed");
    expect(second.headers["x-crm-signature"]).toBe(`sha256=${signature(created.body.secret, String(second.headers["x-crm-timestamp"]), second.body)}`);
    expect(second.headers["x-crm-signature"]).not.toBe(`sha256=${signature("another secret", String(second.headers["x-crm-timestamp"]), second.body)}`);

    await expectEventually(async () => {
      const log = await s.api("GET", `/api/webhooks/${created.body.id}/deliveries`, { token: s.adminToken });
      expect(log.body.items).toEqual([expect.objectContaining({ eventSeq: event.seq, eventType: "client.changed", status: "delivered", attempts: 2, lastStatus: 204, lastError: null })]);
    });
    // Events of other types are not sent to it (the stream had agent and queue events meanwhile, or none).
    expect(received.every((r) => r.headers["x-crm-event"] === "client.changed")).toBe(true);
    const audit = (await s.api("GET", "/api/audit?action=webhook.create", { token: s.adminToken })).body.items;
    expect(audit).toHaveLength(1);

    expect((await s.api("DELETE", `/api/webhooks/${created.body.id}`, { token: s.adminToken })).status).toBe(204);
    expect((await s.api("POST", "/api/webhooks", { token: s.adminToken, body: { name: "x", url: "ftp://example.com/" } })).body.error.field).toBe("url");
  });
});
