import type { Redis } from "ioredis";
import type { Router } from "express";
import type { AuditService } from "../audit/audit.service.js";
import type { ExtensionDirectory } from "../auth/extension-directory.js";
import type { AgentStatusHub } from "../agents/agent-status-hub.js";
import type { AgentState } from "../calls/agent-states.js";
import type { PbxSet } from "../calls/pbx-set.js";
import type { Telephony } from "../calls/telephony.js";
import type { PhoneIndex } from "../crm/phone-index.js";
import { phoneKey } from "../crm/phone-numbers.js";
import type { ClusterBus } from "../platform/cluster/cluster-bus.js";
import type { Database } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import { redisBudget } from "../platform/rate-limit.js";
import type { Realtime } from "../platform/realtime/realtime.js";
import type { ClientCardCache } from "../screenpop/client-card-cache.js";
import { AgentStateLog } from "./agent-state-log.js";
import { QueueTargets } from "./queue-targets.js";
import { SpyService } from "./spy.service.js";
import { SupervisorScopes } from "./supervisor-scopes.js";
import { supervisorRoutes } from "./supervisor.routes.js";
import { WallboardModel } from "./wallboard.js";
import { WallboardPush } from "./wallboard-push.js";
import { WallboardTokens } from "./wallboard-tokens.js";

export interface SupervisorDeps {
  db: Database;
  redis: Redis;
  redisPrefix: string;
  bus: ClusterBus;
  realtime: Realtime;
  pbxes: PbxSet;
  phoneIndex: PhoneIndex;
  /** Who is behind each extension (names on the board). */
  directory: ExtensionDirectory;
  cards: ClientCardCache;
  audit: AuditService;
  status: AgentStatusHub;
  defaultCountry: string;
  shortAbandonSeconds: number;
  wrapupSeconds: number;
  pauseCodes: string[];
  /** SPY_NOTICE: the agent's console shows that a supervisor listens. */
  spyNotice: boolean;
  /** Whether this node pushes for that PBX (it holds the PBX's lease). */
  pushesFor(t: Telephony): boolean;
  log: Logger;
}

export interface Supervisor {
  routes: Router;
  /** The TV board: before the bearer check. */
  publicRoutes: Router;
  model: WallboardModel;
  push: WallboardPush;
  scopes: SupervisorScopes;
  spy: SpyService;
  /** A wrap-up was saved: the agent's last disposition changed. */
  noteDisposition(agent: string, disposition: string): void;
  close(): Promise<void>;
}

/** The supervisor console's server side: the live wallboard, its pushes, spying and acting on agents. */
export async function startSupervisor(d: SupervisorDeps): Promise<Supervisor> {
  const log = d.log;
  const targets = new QueueTargets(d.db);
  await targets.load();
  const scopes = new SupervisorScopes(d.db, d.bus, targets, d.directory);
  await scopes.start();
  const spy = new SpyService(d.pbxes, d.redis, d.redisPrefix, log.child({ module: "spy" }));
  const model = new WallboardModel({
    db: d.db,
    pbxes: d.pbxes,
    targets,
    clientOf: (number, loaded) => {
      const key = phoneKey(number, d.defaultCountry);
      const owner = key ? d.phoneIndex.lookupSync(key)?.[0] : undefined;
      if (!owner) return null;
      const card = d.cards.peek(owner.clientId);
      if (card === undefined) {
        void d.cards.get(owner.clientId).then(loaded, () => {});
        return null;
      }
      return card ? { id: card.client.id, name: card.client.name } : null;
    },
    userOf: (ext) => scopes.userOf(ext),
    spyOn: (agent) => {
      const s = spy.of(agent);
      return s ? { mode: s.mode, supervisor: s.supervisor.name } : null;
    },
    shortAbandonSeconds: d.shortAbandonSeconds,
    wrapupSeconds: d.wrapupSeconds,
    log,
  });
  await model.load();
  const anyHolder = () => d.pbxes.all.some((t) => d.pushesFor(t));
  const push = new WallboardPush(
    model,
    {
      supervisors: () => scopes.supervisors(),
      toRole: (role, event, payload) => d.realtime.toRole(role, event, payload as never),
      toUser: (userId, event, payload) => d.realtime.toUser(userId, event, payload as never),
    },
    { active: anyHolder, source: d.bus.nodeId, redis: d.redis, redisPrefix: d.redisPrefix, log },
  );

  // Each agent's state changes, for the day's pause time after a restart (and the reports).
  const stateLogs = d.pbxes.all.map((t) => {
    const stateLog = new AgentStateLog(d.db, t.name, log.child({ module: "agent-state-log", pbx: t.name }));
    t.agents.on("state", (s: AgentState) => {
      if (d.pushesFor(t)) stateLog.add(s);
    });
    return stateLog;
  });

  // Callbacks waiting per queue (pending, offered or being dialled), refreshed as they change.
  let countTimer: NodeJS.Timeout | null = null;
  const countCallbacks = () => {
    countTimer ??= setTimeout(() => {
      countTimer = null;
      d.db
        .query<{ queue: string; n: number }>("SELECT queue, count(*)::int AS n FROM callbacks WHERE status IN ('pending', 'offered', 'dialing') GROUP BY queue")
        .then((rows) => model.setCallbacksPending(new Map(rows.map((r) => [r.queue, r.n]))))
        .catch((err: Error) => log.warn({ err: err.message }, "callback counts failed"));
    }, 250);
    countTimer.unref();
  };
  countCallbacks();
  d.bus.on("callback-changed", countCallbacks);

  // Spy sessions: the supervisor's console always knows; the agent's when the policy says so.
  spy.onChange((e, s) => {
    model.emit("dirty", { queues: [], agents: [s.agent] });
    const t = d.pbxes.ofAgent(s.agent);
    if (!d.pushesFor(t)) return;
    const payload = { agent: s.agent, mode: s.mode, supervisor: s.supervisor.name, callId: s.callId, active: e === "session" };
    if (s.supervisor.id) d.realtime.toUser(s.supervisor.id, "supervisor:spy", payload);
    const agentUser = scopes.userOf(s.agent);
    if (d.spyNotice && agentUser) d.realtime.toUser(agentUser.id, "supervisor:spy", payload);
  });

  const { routes, public: publicRoutes } = supervisorRoutes({
    model,
    push,
    scopes,
    spy,
    status: d.status,
    pbxes: d.pbxes,
    targets,
    tokens: new WallboardTokens(d.db),
    audit: d.audit,
    pauseCodes: d.pauseCodes,
    tvBudget: redisBudget(d.redis, { prefix: d.redisPrefix, name: "wallboard-tv", points: 1500, windowSeconds: 600 }),
  });

  return {
    routes,
    publicRoutes,
    model,
    push,
    scopes,
    spy,
    noteDisposition: (agent, disposition) => model.noteDisposition(agent, disposition),
    async close() {
      push.close();
      scopes.stop();
      if (countTimer) clearTimeout(countTimer);
      await Promise.all(stateLogs.map((l) => l.close()));
    },
  };
}
