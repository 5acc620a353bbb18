import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { dbKinds } from "../support/databases.js";
import { expectEventually } from "../support/eventually.js";
import { consoleOn } from "../support/cluster.js";

const salesGraph = (hello = "Hello {{client.firstName|there}}, {{agent.name}} from ACME.") => ({
  start: "hello",
  steps: {
    hello: { type: "say", title: "Greeting", text: hello, tip: "Smile: it can be heard", next: "interest" },
    interest: { type: "question", title: "Interested?", text: "Would a demo help?", options: [{ label: "Yes", next: "company" }, { label: "No", next: "lost" }, { label: "Unhappy", next: "complaint" }] },
    company: { type: "input", title: "Company", text: "Which company?", field: "client.company", next: "budget" },
    budget: { type: "input", title: "Budget", text: "Budget?", field: "call.budget", format: "number", next: "size" },
    size: { type: "input", title: "Team size", field: "custom.teamSize", format: "number", next: "won" },
    won: { type: "end", outcome: "sale" },
    lost: { type: "end", outcome: "not interested" },
    complaint: { type: "end", outcome: "complaint" },
  },
});

describe.each(dbKinds)("call scripts (%s)", (db) => {
  let s: TestServer;
  const sockets: Socket[] = [];
  let ann: string;
  let sue: string;
  let clientId: number;
  let seq = 0;
  const pbx = () => s.app.telephony.sim!.pbx;
  const at = (sec: number) => new Date(Date.UTC(2026, 10, 20, 9, 0, sec)).toISOString();

  beforeAll(async () => {
    s = await startTestServer({ db, env: { SIM_SPEED: "0.2", WRAPUP_SECONDS: "60" } });
    await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "ann", password: "ann-password", role: "agent", extension: "1001", displayName: "Ann Agent" } });
    await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "sue", password: "sue-password", role: "supervisor", displayName: "Sue Super" } });
    ann = await s.login("ann", "ann-password");
    sue = await s.login("sue", "sue-password");
    await s.app.db.query("INSERT INTO user_queues (user_id, queue) SELECT id, 'support' FROM users WHERE username = 'sue'");
    for (const ext of ["1001", "1002"]) pbx().agent(ext)!.autoAnswer = false;
    const c = await s.api("POST", "/api/clients", { token: s.adminToken, body: { name: "Grace Hopper", stage: "regular", tags: ["vip"], phones: ["+1 415 555 0123"] } });
    clientId = c.body.id;
    await expectEventually(() => expect(s.app.telephony.link.connected).toBe(true));
  });
  afterAll(async () => {
    for (const x of sockets) x.close();
    await s?.close();
  });

  const create = async (name: string, graph: unknown = salesGraph()) => {
    const r = await s.api("POST", "/api/scripts", { token: sue, body: { name, graph } });
    expect(r.status).toBe(201);
    return r.body.id as number;
  };
  const journalCall = async (o: { queue?: string; did?: string; agent?: string } = {}) => {
    const linkedid = `1790000${String(++seq).padStart(3, "0")}.1`;
    const now = new Date();
    await s.app.db.prisma.call.create({
      data: { linkedid, direction: "inbound", callerNumber: "+14155550123", calledNumber: o.did ?? "8005552000", queue: o.queue ?? "sales", agentExtension: o.agent ?? "1001", startedAt: now, endedAt: now, outcome: "answered" },
    });
    return linkedid;
  };

  it("refuses bad graphs with errors naming the field or step; drafts may be incomplete, publishing may not", async () => {
    const unknown = await s.api("POST", "/api/scripts", { token: sue, body: { name: "X", graph: { start: "a", steps: { a: { type: "end", outcome: "ok", colour: "red" } } } } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/graph\.steps\.a/);
    expect(unknown.body.error.message).toMatch(/colour/);
    // Images: a path here or an embedded picture; the console's CSP would not show another site's.
    const withImage = (image: string) => s.api("POST", "/api/scripts", { token: sue, body: { name: "Img", graph: { start: "a", steps: { a: { type: "end", outcome: "ok", image } } } } });
    expect((await withImage("https://example.com/x.png")).body.error.field).toBe("graph.steps.a.image");
    expect((await withImage("data:image/png;base64,iVBORw0KGgo=")).status).toBe(201);
    expect((await withImage("/img/tip.png")).status).toBe(201);
    const dangling = { start: "a", steps: { a: { type: "say", next: "b" }, b: { type: "question", options: [{ label: "Go", next: "nowhere" }] } } };
    const imp = await s.api("POST", "/api/scripts/import", { token: sue, body: { name: "Imported", graph: dangling } });
    expect(imp.status).toBe(400);
    expect(imp.body.error.message).toContain('step "b": answer 1 ("Go") leads to "nowhere", which is not a step');
    const noStart = await s.api("POST", "/api/scripts/import", { token: sue, body: { name: "Imported", graph: { start: "zz", steps: { a: { type: "end", outcome: "x" } } } } });
    expect(noStart.body.error.message).toMatch(/start: there is no step "zz"/);
    const loop = await s.api("POST", "/api/scripts/import", { token: sue, body: { name: "Loop", graph: { start: "a", steps: { a: { type: "say", next: "b" }, b: { type: "say", next: "a" } } } } });
    expect(loop.body.error.message).toMatch(/loops .* with no way out/);

    const id = await create("Draft only", dangling);
    const got = await s.api("GET", `/api/scripts/${id}`, { token: ann });
    expect(got.body.problems.map((p: { step: string; code: string }) => [p.code, p.step])).toEqual([["dangling-link", "b"]]);
    const pub = await s.api("POST", `/api/scripts/${id}/publish`, { token: sue });
    expect(pub.status).toBe(400);
    expect(pub.body.error.field).toBe("draft");
    expect((await s.api("POST", `/api/scripts/${id}/publish`, { token: ann })).status).toBe(403);
  });

  it("export and import round-trip; versions freeze what was published", async () => {
    const id = await create("Sales intro");
    expect(await s.api("POST", `/api/scripts/${id}/publish`, { token: sue }).then((r) => r.body)).toEqual({ version: 1 });
    const edited = salesGraph("Hi {{client.name|there}}!");
    expect((await s.api("PUT", `/api/scripts/${id}/draft`, { token: sue, body: { graph: edited } })).status).toBe(200);
    const v1 = await s.api("GET", `/api/scripts/${id}?version=1`, { token: ann });
    expect(v1.body.version.graph.steps.hello.text).toMatch(/^Hello/);
    expect(v1.body.draft.steps.hello.text).toBe("Hi {{client.name|there}}!");
    const file = await s.api("GET", `/api/scripts/${id}/export`, { token: sue });
    expect(file.headers.get("content-disposition")).toMatch(/attachment/);
    expect(file.body).toMatchObject({ format: "crm-script/1", name: "Sales intro", graph: edited });
    const again = await s.api("POST", "/api/scripts/import", { token: sue, body: file.body });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ name: "Sales intro", draft: edited, problems: [], publishedVersion: null });
  });

  it("the card carries the script the rules choose, before answer; the run stays on its version after a new one is published", async () => {
    const general = await create("Support default", { start: "a", steps: { a: { type: "say", text: "Support, {{agent.name}} speaking", next: "b" }, b: { type: "end", outcome: "resolved" } } });
    const vip = await create("VIP sales");
    for (const id of [general, vip]) await s.api("POST", `/api/scripts/${id}/publish`, { token: sue });
    expect((await s.api("POST", "/api/script-rules", { token: sue, body: { queue: "support", scriptId: general } })).status).toBe(201);
    expect((await s.api("POST", "/api/script-rules", { token: sue, body: { queue: "support", tag: "vip", scriptId: vip } })).status).toBe(201);
    expect((await s.api("POST", "/api/script-rules", { token: sue, body: { scriptId: vip } })).status).toBe(400);
    expect((await s.api("POST", "/api/script-rules", { token: ann, body: { queue: "support", scriptId: vip } })).status).toBe(403);

    const con = await consoleOn(s, ann);
    sockets.push(con.socket);
    // An unknown caller: the queue's default.
    const other = pbx().inboundCall({ from: "+14155550999", talkSeconds: 100 });
    await expectEventually(() => expect(con.of("call:offer").filter((o) => o.payload.callId === other)).toHaveLength(1));
    expect(con.of("call:offer").find((o) => o.payload.callId === other)!.payload.script).toMatchObject({ scriptId: general, version: 1, name: "Support default" });
    expect(pbx().agentHangup("1001") || pbx().hangupByChannel([...s.app.telephony.tracker.calls.get(other)!.legs.values()].find((l) => l.kind === "trunk")!.channel)).toBe(true);
    await expectEventually(() => expect(s.app.telephony.tracker.calls.has(other)).toBe(false));

    // Grace is tagged vip: the more specific rule wins.
    const callId = pbx().inboundCall({ from: "+14155550123", talkSeconds: 100 });
    await expectEventually(() => expect(con.of("call:offer").filter((o) => o.payload.callId === callId)).toHaveLength(1));
    const offer = con.of("call:offer").find((o) => o.payload.callId === callId)!.payload;
    expect(offer.script).toMatchObject({ scriptId: vip, version: 1, name: "VIP sales", graph: { start: "hello" } });
    expect(s.app.telephony.tracker.calls.get(callId)!.answeredAt).toBeNull();
    expect(pbx().answer("1001")).toBe(true);
    await expectEventually(() => expect(con.of("call:answered").map((g) => g.payload.callId)).toContain(callId));

    const post = (version: number, path: unknown[]) => s.api("POST", `/api/calls/${callId}/script-run`, { token: ann, body: { scriptId: vip, version, path } });
    const first = await post(1, [{ step: "hello", at: at(0) }, { step: "interest", answer: "Yes", at: at(5) }, { step: "company", at: at(9) }]);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ version: 1, completed: false, outcome: null, problems: {} });
    // v2 is published while the call goes on.
    await s.api("PUT", `/api/scripts/${vip}/draft`, { token: sue, body: { graph: salesGraph("Good day {{client.name}}") } });
    expect((await s.api("POST", `/api/scripts/${vip}/publish`, { token: sue })).body).toEqual({ version: 2 });
    expect((await post(2, [{ step: "hello", at: at(0) }])).status).toBe(409);
    // A path that skips a link, an answer the step does not have.
    expect((await post(1, [{ step: "hello", at: at(0) }, { step: "company", at: at(5) }])).body.error.field).toBe("path.1.step");
    expect((await post(1, [{ step: "hello", at: at(0) }, { step: "interest", answer: "Maybe", at: at(5) }, { step: "lost", at: at(6) }])).body.error.field).toBe("path.1.answer");
    const full = [
      { step: "hello", at: at(0) },
      { step: "interest", answer: "Yes", at: at(5) },
      { step: "company", value: "Navy", at: at(9) },
      { step: "budget", value: "lots", at: at(20) },
      { step: "size", value: "12", at: at(25) },
      { step: "won", at: at(30) },
    ];
    const bad = await post(1, full);
    expect(bad.body).toMatchObject({ version: 1, completed: true, outcome: "sale", problems: { budget: "Budget: the value is not a number" } });
    // Saved again, the same: still one run (idempotent).
    expect((await post(1, full)).status).toBe(200);
    const saved = await s.api("GET", `/api/calls/${callId}/script-run`, { token: ann });
    expect(saved.body.items).toHaveLength(1);
    expect(saved.body.items[0]).toMatchObject({ scriptId: vip, version: 1, path: full });
    // The reloaded console still gets the call (and its pinned run from the route above).
    const ws = await s.api("GET", "/api/me/workspace", { token: ann });
    expect(ws.body.calls.find((c: { callId: string }) => c.callId === callId)).toBeTruthy();

    expect(pbx().agentHangup("1001")).toBe(true);
    await expectEventually(async () => expect((await s.api("POST", `/api/calls/${callId}/wrapup`, { token: ann, body: { disposition: "Sale" } })).status).not.toBe(409));
    const refused = await s.api("POST", `/api/calls/${callId}/wrapup`, { token: ann, body: { disposition: "Sale" } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ field: "script.budget", message: "script.budget: Budget: the value is not a number" });
    full[3] = { step: "budget", value: "5000", at: at(20) };
    expect((await post(1, full)).body.problems).toEqual({});
    expect((await s.api("POST", `/api/calls/${callId}/wrapup`, { token: ann, body: { disposition: "Sale" } })).status).toBe(200);

    const client = await s.api("GET", `/api/clients/${clientId}`, { token: ann });
    expect(client.body.company).toBe("Navy");
    const [custom] = await s.app.db.query<{ value: string }>("SELECT value FROM client_custom_fields WHERE client_id = $1 AND key = 'teamSize'", [clientId]);
    expect(custom?.value).toBe("12");
    const run = (await s.api("GET", `/api/calls/${callId}/script-run`, { token: ann })).body.items[0];
    expect(run.captured.values).toEqual({ budget: "5000" });
    expect(run.appliedAt).not.toBeNull();
    const timeline = await s.api("GET", `/api/clients/${clientId}/timeline`, { token: ann });
    const note = timeline.body.items.find((i: { type: string; body?: string }) => i.type === "note" && i.body?.startsWith("Call script"));
    expect(note.body).toBe("Call script «VIP sales» v1 · outcome: sale · 0m 30s\n1. Greeting\n2. Interested? → Yes\n3. Company = Navy\n4. Budget = 5000\n5. Team size = 12\n6. won");
    // Closed once wrapped up.
    expect((await post(1, full)).status).toBe(409);
  });

  it("a complaint opens a task for the queue's supervisor; 'callback needed' schedules a callback", async () => {
    const id = await create("Outcomes", {
      start: "q",
      steps: {
        q: { type: "question", options: [{ label: "Complain", next: "c" }, { label: "Later", next: "when" }] },
        c: { type: "end", outcome: "complaint" },
        when: { type: "input", field: "call.callbackAt", format: "date", next: "cb" },
        cb: { type: "end", outcome: "callback needed" },
      },
    });
    await s.api("POST", `/api/scripts/${id}/publish`, { token: sue });
    const complaint = await journalCall({ queue: "support", did: "8005551000" });
    await s.app.db.query("UPDATE calls SET client_id = $1 WHERE linkedid = $2", [clientId, complaint]);
    await s.api("POST", `/api/calls/${complaint}/script-run`, { token: ann, body: { scriptId: id, version: 1, path: [{ step: "q", answer: "Complain", at: at(0) }, { step: "c", at: at(3) }] } });
    expect((await s.api("POST", `/api/calls/${complaint}/wrapup`, { token: ann, body: { disposition: "Escalated" } })).status).toBe(200);
    const tasks = await s.api("GET", `/api/tasks?assignee=me`, { token: sue });
    expect(tasks.body.items).toEqual([expect.objectContaining({ title: "Complaint to follow up", clientId })]);

    const later = await journalCall({ queue: "support" });
    const due = new Date(Date.now() + 3 * 86400_000).toISOString().slice(0, 10);
    await s.api("POST", `/api/calls/${later}/script-run`, { token: ann, body: { scriptId: id, version: 1, path: [{ step: "q", answer: "Later", at: at(0) }, { step: "when", value: due, at: at(3) }, { step: "cb", at: at(8) }] } });
    expect((await s.api("POST", `/api/calls/${later}/wrapup`, { token: ann, body: { disposition: "Follow-up needed" } })).status).toBe(200);
    const cbs = await s.api("GET", "/api/callbacks?number=%2B14155550123", { token: s.adminToken });
    expect(cbs.body.items).toEqual([expect.objectContaining({ number: "+14155550123", queue: "support", source: "agent" })]);
    expect(new Date(cbs.body.items[0].dueAt).getTime()).toBeGreaterThanOrEqual(new Date(due).getTime());
  });

  it("the funnel of one version, figures computed by hand, and its CSV", async () => {
    const id = await create("Funnel");
    await s.api("POST", `/api/scripts/${id}/publish`, { token: sue });
    const run = async (o: { queue?: string; did?: string; agent?: string }, path: unknown[]) => {
      const call = await journalCall(o);
      const r = await s.api("POST", `/api/calls/${call}/script-run`, { token: sue, body: { scriptId: id, version: 1, path } });
      expect(r.status).toBe(200);
    };
    // 1: greeting 10 s, question 20 s (Yes), company 4 s, budget 6 s, size 10 s: sale (sales, radio line, 1001)
    await run({}, [{ step: "hello", at: at(0) }, { step: "interest", answer: "Yes", at: at(10) }, { step: "company", value: "A", at: at(30) }, { step: "budget", value: "1", at: at(34) }, { step: "size", value: "3", at: at(40) }, { step: "won", at: at(50) }]);
    // 2: greeting 30 s, question 10 s (No) (sales, radio line, 1002)
    await run({ agent: "1002" }, [{ step: "hello", at: at(0) }, { step: "interest", answer: "No", at: at(30) }, { step: "lost", at: at(40) }]);
    // 3: greeting 20 s, then lost at the question (support line, 1001)
    await run({ queue: "support", did: "8005551000" }, [{ step: "hello", at: at(0) }, { step: "interest", at: at(20) }]);
    // 4: greeting 40 s, question 30 s (Yes), then lost at company
    await run({}, [{ step: "hello", at: at(0) }, { step: "interest", answer: "Yes", at: at(40) }, { step: "company", at: at(70) }]);

    const f = await s.api("GET", `/api/scripts/${id}/funnel`, { token: sue });
    expect(f.status).toBe(200);
    expect(f.body).toMatchObject({ scriptId: id, version: 1, runs: 4, completed: 2, outcomes: { sale: 1, "not interested": 1 } });
    const step = (sid: string) => f.body.steps.find((x: { step: string }) => x.step === sid);
    // greeting: 10, 30, 20, 40 → median 25
    expect(step("hello")).toEqual({ step: "hello", type: "say", title: "Greeting", reached: 4, left: 0, byAnswer: {}, medianSeconds: 25 });
    // question: 20, 10, 30 (run 3 left here, no time) → median 20
    expect(step("interest")).toEqual({ step: "interest", type: "question", title: "Interested?", reached: 4, left: 1, byAnswer: { Yes: 2, No: 1 }, medianSeconds: 20 });
    expect(step("company")).toMatchObject({ reached: 2, left: 1, medianSeconds: 4 });
    expect(step("won")).toMatchObject({ reached: 1, left: 0 });
    expect(step("complaint")).toMatchObject({ reached: 0, left: 0 });
    expect(f.body.byQueue).toEqual([{ key: "sales", runs: 3, completed: 2, converted: 1 }, { key: "support", runs: 1, completed: 0, converted: 0 }]);
    expect(f.body.byCampaign).toEqual([{ key: "Sales line (radio spot)", runs: 3, completed: 2, converted: 1 }, { key: "Support line", runs: 1, completed: 0, converted: 0 }]);
    expect(f.body.byAgent).toEqual([{ key: "1001", runs: 3, completed: 1, converted: 1 }, { key: "1002", runs: 1, completed: 1, converted: 0 }]);
    const narrowed = await s.api("GET", `/api/scripts/${id}/funnel?queue=support&agent=1001`, { token: sue });
    expect(narrowed.body).toMatchObject({ runs: 1, completed: 0 });
    expect((await s.api("GET", `/api/scripts/${id}/funnel?version=2`, { token: sue })).status).toBe(404);
    expect((await s.api("GET", `/api/scripts/${id}/funnel`, { token: ann })).status).toBe(403);

    const csv = await s.api("GET", `/api/scripts/${id}/funnel?format=csv`, { token: sue });
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    const lines = (csv.body as string).trim().split("\r\n");
    expect(lines[0]).toBe("step,type,title,reached,left,left_share,median_seconds,answers");
    expect(lines[2]).toBe("interest,question,Interested?,4,1,0.250,20,Yes: 2; No: 1");
  });

  it("agents save runs only on their own calls", async () => {
    const id = (await s.api("GET", "/api/scripts", { token: ann })).body.items.find((x: { name: string; publishedVersion: number | null }) => x.name === "Funnel").id;
    const bobs = await journalCall({ agent: "1002" });
    const r = await s.api("POST", `/api/calls/${bobs}/script-run`, { token: ann, body: { scriptId: id, version: 1, path: [{ step: "hello", at: at(0) }] } });
    expect(r.status).toBe(403);
    expect((await s.api("POST", `/api/calls/1799999999.9/script-run`, { token: ann, body: { scriptId: id, version: 1, path: [{ step: "hello", at: at(0) }] } })).status).toBe(404);
  });
});
