// GET /metrics (Prometheus): refused without the METRICS_TOKEN bearer, and its figures move while
// the simulator runs calls (PBX events, live calls, pops and their latency, Socket.IO connections).
// METRICS_PORT serves the same alone on 127.0.0.1 without a token. /api/health says what runs.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";

const token = "metrics-token-0123456789";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** One figure from the exposition text (a series with exactly these labels), or undefined. */
function figure(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : undefined;
}

describe("/metrics and /api/health", () => {
  let s: TestServer;
  let metricsPort: number;
  let socket: Socket | null = null;

  const scrape = async (): Promise<string> => {
    const r = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    return r.text();
  };

  beforeAll(async () => {
    metricsPort = await freePort();
    s = await startTestServer({ env: { METRICS_TOKEN: token, METRICS_PORT: String(metricsPort), SIM_SPEED: "0.05", WRAPUP_SECONDS: "0" } });
    const r = await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "maria", password: "maria-pass-1", role: "agent", extension: "1001" } });
    expect(r.status).toBe(201);
    await expectEventually(() => expect(s.app.telephony.link.connected).toBe(true), 10_000);
  }, 60_000);

  afterAll(async () => {
    socket?.close();
    await s?.close();
  });

  it("refuses a scrape without the token (401) or with a wrong one (403)", async () => {
    const none = await fetch(`${s.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const wrong = await fetch(`${s.url}/metrics`, { headers: { authorization: "Bearer not-the-metrics-token" } });
    expect(wrong.status).toBe(403);
    // A user's session token is not the metrics token either.
    const user = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.adminToken}` } });
    expect(user.status).toBe(403);
  });

  it("serves the Prometheus text format with the operator's figures", async () => {
    const text = await scrape();
    expect(figure(text, 'crm_ami_up{pbx="main"}')).toBe(1);
    expect(figure(text, 'crm_pbx_lease_holder{pbx="main"}')).toBe(1);
    expect(text).toMatch(/^# TYPE crm_screen_pop_latency_seconds histogram$/m);
    expect(text).toMatch(/^crm_queue_jobs\{queue="crm-maintenance",state="failed"\} \d+$/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it("figures move while the simulator runs calls", async () => {
    const before = await scrape();
    const events0 = figure(before, 'crm_pbx_events_total{pbx="main"}') ?? 0;
    const pops0 = figure(before, 'crm_screen_pops_total{event="call:offer"}') ?? 0;
    const latency0 = figure(before, "crm_screen_pop_latency_seconds_count") ?? 0;
    expect(figure(before, "crm_socketio_connections")).toBe(0);

    const agentToken = await s.login("maria", "maria-pass-1");
    socket = io(s.url, { auth: { token: agentToken }, transports: ["websocket"], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket!.once("connect", () => resolve());
      socket!.once("connect_error", reject);
    });

    const pbx = s.app.telephony.sim!.pbx;
    pbx.inboundCall({ from: "+14155550123", did: "8005551000", talkSeconds: 60 });
    pbx.inboundCall({ from: "+14155550124", did: "8005551000", talkSeconds: 60 });
    await expectEventually(async () => {
      const text = await scrape();
      expect(figure(text, 'crm_live_calls{pbx="main"}')).toBeGreaterThanOrEqual(1);
      expect(figure(text, 'crm_screen_pops_total{event="call:offer"}')).toBeGreaterThan(pops0);
      expect(figure(text, "crm_screen_pop_latency_seconds_count")).toBeGreaterThan(latency0);
      expect(figure(text, "crm_socketio_connections")).toBe(1);
    }, 15_000, 200);
    const during = await scrape();
    expect(figure(during, 'crm_pbx_events_total{pbx="main"}')).toBeGreaterThan(events0);
    // The pop's latency is a fraction of a second here.
    expect(figure(during, 'crm_screen_pop_latency_seconds_bucket{le="1"}')).toBe(figure(during, "crm_screen_pop_latency_seconds_count"));

    await expectEventually(async () => expect(figure(await scrape(), 'crm_live_calls{pbx="main"}')).toBe(0), 30_000, 250);
    socket.close();
    await expectEventually(async () => expect(figure(await scrape(), "crm_socketio_connections")).toBe(0), 5000, 100);
  }, 60_000);

  it("METRICS_PORT: the same figures on 127.0.0.1 without a token; not the API", async () => {
    const r = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(r.status).toBe(200);
    expect(figure(await r.text(), 'crm_ami_up{pbx="main"}')).toBe(1);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/api/health`)).status).toBe(404);
  });

  it("/api/health: version, commit, start time and uptime", async () => {
    const r = await s.api("GET", "/api/health");
    expect(r.status).toBe(200);
    expect(r.body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.body).toHaveProperty("commit");
    expect(r.body.commit === null || /^[0-9a-f]{7,40}$/.test(r.body.commit)).toBe(true);
    expect(Date.parse(r.body.startedAt)).toBeLessThanOrEqual(Date.now());
    expect(r.body.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });
});

describe("/metrics without METRICS_TOKEN", () => {
  it("is not served on the main port", async () => {
    const s = await startTestServer();
    try {
      const r = await fetch(`${s.url}/metrics`);
      expect(r.status).not.toBe(200);
      expect(await r.text()).not.toMatch(/crm_ami_up/);
    } finally {
      await s.close();
    }
  });
});
