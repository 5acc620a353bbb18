import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { io, type Socket } from "socket.io-client";
import { expect } from "vitest";
import { AmiSimulator } from "../../server/pbx/sim/ami-simulator.js";
import type { SimAgentConfig, SimQueueConfig } from "../../server/pbx/sim/sim-pbx.js";
import { adminPassword } from "./test-server.js";

const root = path.resolve(import.meta.dirname, "../..");

export interface NodeProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** Everything the process logged (JSON lines), for a failing test's message. */
  log: () => string;
  api(method: string, p: string, opts?: { token?: string; body?: unknown }): Promise<{ status: number; body: any }>;
  health(): Promise<any>;
  /** SIGKILL: the process dies at once, nothing flushed, its lease left to expire. */
  kill(): Promise<void>;
  /** SIGTERM: a clean stop. */
  stop(): Promise<void>;
}

/**
 * Several server processes (`server/main.ts`, as `npm start` runs it) sharing one PostgreSQL
 * database, one Redis key prefix and one PBX: what a call center runs behind a load balancer.
 */
export function clusterEnv(dbUrl: string, amiPort: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: dbUrl,
    REDIS_PREFIX: `crmcluster:${crypto.randomBytes(4).toString("hex")}`,
    AMI_URL: `ami://crm:clustersecret@127.0.0.1:${amiPort}`,
    BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
    LOG_LEVEL: "info",
    WRAPUP_SECONDS: "0",
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...extra,
  };
}

/** The DID that rings the "support" queue of {@link clusterSimulator}. */
export const clusterDid = "8005551000";

/**
 * The PBX the cluster tests share (not listening yet: `await sim.listen(0)`), with the AMI secret
 * {@link clusterEnv} logs in with: each agent `Agent <ext>` in one queue "support", reached on
 * {@link clusterDid}; `extraAgents` are phones outside the queue.
 */
export function clusterSimulator(o: {
  speed: number;
  agents: string[];
  autoAnswer: boolean;
  strategy: SimQueueConfig["strategy"];
  extraAgents?: SimAgentConfig[];
}): AmiSimulator {
  return new AmiSimulator({
    secret: "clustersecret",
    badLoginDelayMs: 10,
    pbx: {
      speed: o.speed,
      agents: [...o.agents.map((ext) => ({ ext, name: `Agent ${ext}`, autoAnswer: o.autoAnswer })), ...(o.extraAgents ?? [])],
      queues: [{ name: "support", strategy: o.strategy, timeoutSeconds: 15, retrySeconds: 2, members: o.agents }],
      dids: { [clusterDid]: "support" },
    },
  });
}

export async function startNode(name: string, env: Record<string, string>): Promise<NodeProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `crm-${name}-`));
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: root,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += String(d)));
  child.stderr!.on("data", (d) => (out += String(d)));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const port = await new Promise<number>((resolve, reject) => {
    const check = () => {
      const m = /"port":(\d+),"msg":"listening"/.exec(out);
      if (m) {
        child.stdout!.off("data", check);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on("data", check);
    void exited.then(() => reject(new Error(`node ${name} exited before listening:\n${out.slice(-3000)}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const api: NodeProcess["api"] = async (method, p, o = {}) => {
    const headers: Record<string, string> = {};
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(url + p, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
    const text = await res.text();
    return { status: res.status, body: text && (res.headers.get("content-type") ?? "").includes("json") ? JSON.parse(text) : text };
  };
  const cleanup = () => fs.rmSync(dataDir, { recursive: true, force: true });
  return {
    name,
    url,
    child,
    log: () => out,
    api,
    health: async () => (await api("GET", "/api/health")).body,
    async kill() {
      child.kill("SIGKILL");
      await exited;
      cleanup();
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
      cleanup();
    },
  };
}

export async function login(node: NodeProcess, username: string, password: string): Promise<string> {
  const r = await node.api("POST", "/api/auth/login", { body: { username, password } });
  if (r.status !== 200) throw new Error(`login ${username} on ${node.name}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}

/** Whether the node's process is still running (neither exited nor killed). */
export const isAlive = (n: NodeProcess) => n.child.exitCode === null && n.child.signalCode === null;

/** The node that holds the PBX lease, asked of each running node's health(): there must be exactly one. */
export async function leaseHolder(nodes: NodeProcess[]): Promise<NodeProcess> {
  const hs = await Promise.all(nodes.filter(isAlive).map(async (n) => ({ n, h: await n.health().catch(() => ({})) })));
  const held = hs.filter((x) => x.h.lease === "holder");
  expect(held).toHaveLength(1);
  return held[0]!.n;
}

/** A console connected to one node, recording every push it gets. */
export async function consoleOn(node: { url: string }, token: string) {
  const socket: Socket = io(node.url, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
  const got: { event: string; payload: any }[] = [];
  socket.onAny((event: string, payload: unknown) => got.push({ event, payload }));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  return { socket, got, of: (event: string) => got.filter((g) => g.event === event) };
}

/** A TCP proxy to Redis that a test can cut (every connection dropped, new ones refused) and restore. */
export async function redisProxy(target = process.env.REDIS_URL ?? "redis://127.0.0.1:6379") {
  const to = new URL(target);
  const open = new Set<net.Socket>();
  const pairs: [net.Socket, net.Socket][] = [];
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = net.connect(Number(to.port || 6379), to.hostname);
    open.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream).pipe(client);
    pairs.push([client, upstream]);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `redis://127.0.0.1:${port}${to.pathname}`,
    cut() {
      cut = true;
      for (const s of open) s.destroy();
    },
    restore() {
      cut = false;
    },
    /** Connections stay open but nothing passes, either way: a Redis that hangs. */
    freeze() {
      for (const [c, u] of pairs) {
        c.unpipe(u);
        u.unpipe(c);
        c.pause();
        u.pause();
      }
    },
    thaw() {
      for (const [c, u] of pairs) {
        c.pipe(u);
        u.pipe(c);
      }
    },
    close: () => {
      for (const sock of open) sock.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** One query on a database by URL (its own connection: the nodes hold theirs). */
export async function sqlOn(url: string, q: string, params: unknown[] = []): Promise<any[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(q, params)).rows;
  } finally {
    await c.end();
  }
}
