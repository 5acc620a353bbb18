import { describe, expect, it } from "vitest";
import { checkGraph, fillParts, fillText, runBack, runChoose, runFinished, runNext, runOutcome, runStart, valueProblem, type ScriptGraph } from "../../server/scripts/script-graph.js";
import { computeFunnel, funnelCsv } from "../../server/scripts/script-funnel.js";
import { ruleMatches, specificity, type ScriptRule } from "../../server/scripts/script-catalog.js";

const sales: ScriptGraph = {
  start: "hello",
  steps: {
    hello: { type: "say", text: "Hello {{client.firstName|there}}, this is {{agent.name}}.", next: "interest" },
    interest: { type: "question", text: "Interested?", options: [{ label: "Yes", next: "email" }, { label: "No", next: "lost" }, { label: "Later", next: "later" }] },
    email: { type: "input", text: "Email?", field: "client.email", next: "won" },
    won: { type: "end", outcome: "sale" },
    lost: { type: "end", outcome: "not interested" },
    later: { type: "end", outcome: "callback needed" },
  },
};

const codes = (g: ScriptGraph) => checkGraph(g).map((p) => [p.code, p.step]);

describe("graph validation names the step", () => {
  it("a sound graph has no problems", () => {
    expect(checkGraph(sales)).toEqual([]);
  });

  it("missing start, dangling links, dead ends, unreachable steps", () => {
    expect(codes({ start: "nope", steps: { a: { type: "end", outcome: "x" } } })).toEqual([["missing-start", null]]);
    const g: ScriptGraph = {
      start: "a",
      steps: {
        a: { type: "question", options: [{ label: "Go", next: "b" }, { label: "Lost", next: "ghost" }] },
        b: { type: "say", text: "stops here" },
        c: { type: "end" },
      },
    };
    expect(codes(g)).toEqual([
      ["dangling-link", "a"],
      ["dead-end", "b"],
      ["dead-end", "c"],
      ["unreachable", "c"],
    ]);
    expect(checkGraph(g)[0]!.message).toBe('step "a": answer 2 ("Lost") leads to "ghost", which is not a step');
  });

  it("a loop without an exit, but not a loop that has one", () => {
    const trapped: ScriptGraph = { start: "a", steps: { a: { type: "say", next: "b" }, b: { type: "question", options: [{ label: "again", next: "a" }] } } };
    expect(codes(trapped)).toEqual([["loop-without-exit", "a"]]);
    const escapable: ScriptGraph = { start: "a", steps: { a: { type: "say", next: "b" }, b: { type: "question", options: [{ label: "again", next: "a" }, { label: "done", next: "e" }] }, e: { type: "end", outcome: "ok" } } };
    expect(checkGraph(escapable)).toEqual([]);
  });

  it("unknown placeholders, inputs without or with a bad target field, jumps without a script", () => {
    const g: ScriptGraph = {
      start: "a",
      steps: {
        a: { type: "say", text: "Hi {{client.nickname}}", tip: "{{agent.name}} ok", next: "b" },
        b: { type: "input", next: "c" },
        c: { type: "input", field: "client.shoeSize", next: "d" },
        d: { type: "jump" },
      },
    };
    expect(codes(g)).toEqual([
      ["unknown-placeholder", "a"],
      ["input-without-field", "b"],
      ["bad-field", "c"],
      ["jump-without-script", "d"],
    ]);
  });
});

describe("placeholders", () => {
  const ctx = { client: { name: "Grace Hopper", company: null, stage: "regular" }, agent: { name: "Ann" }, dialed: { number: "8005552000", label: null } };
  it("fills from the card, falls back, and marks what is missing", () => {
    expect(fillText("Hello {{client.firstName}} from {{client.company|your company}}", ctx)).toBe("Hello Grace from your company");
    expect(fillParts("Calling about {{dialed.campaign}}", ctx)).toEqual([{ text: "Calling about " }, { text: "[the campaign]", missing: true }]);
    expect(fillText("Hello {{client.name|there}}, I am {{agent.name}}", { agent: { name: "Ann" } })).toBe("Hello there, I am Ann");
    expect(fillText("{{ client.stage }}!", ctx)).toBe("regular!");
    expect(fillText("Thanks{{client.company|}}.", ctx)).toBe("Thanks.");
  });
});

describe("the runner's moves", () => {
  it("choose, next with a value, back, restart, finish", () => {
    let p = runStart(sales, "t0");
    expect(runFinished(sales, p)).toBe(false);
    p = runNext(sales, p, "t1");
    expect(p.map((e) => e.step)).toEqual(["hello", "interest"]);
    p = runChoose(sales, p, 0, "t2");
    expect(p).toEqual([{ step: "hello", at: "t0" }, { step: "interest", at: "t1", answer: "Yes" }, { step: "email", at: "t2" }]);
    p = runBack(p);
    expect(p).toEqual([{ step: "hello", at: "t0" }, { step: "interest", at: "t1" }]);
    expect(runChoose(sales, p, 7, "t3")).toBe(p); // no such answer: nothing moves
    p = runChoose(sales, p, 0, "t3");
    p = runNext(sales, p, "t4", "ann@example.com");
    expect(p[2]).toEqual({ step: "email", at: "t3", value: "ann@example.com" });
    expect(runFinished(sales, p)).toBe(true);
    expect(runOutcome(sales, p)).toBe("sale");
    expect(runNext(sales, p, "t5")).toBe(p); // an end step goes nowhere
  });

  it("values are checked against the input's format and target", () => {
    expect(valueProblem(sales.steps.email!, "not-an-email")).toBe("is not an email address");
    expect(valueProblem(sales.steps.email!, "a@b.co")).toBeNull();
    expect(valueProblem({ type: "input", field: "call.budget", format: "number" }, "12k")).toBe("is not a number");
    expect(valueProblem({ type: "input", field: "client.stage" }, "vip")).toMatch(/not a stage/);
    expect(valueProblem({ type: "input", field: "call.when", format: "date" }, "tomorrow")).toMatch(/not a date/);
  });
});

describe("rules", () => {
  const rule = (r: Partial<ScriptRule>): ScriptRule => ({ id: 1, scriptId: 1, queue: null, did: null, direction: null, stage: null, tag: null, ...r });
  const facts = { queue: "sales", direction: "inbound" as const, dialed: { number: "8005552000", label: "Radio spot" }, client: { stage: "prospect", tags: ["vip"] } };
  it("every criterion must match; the DID matches by number or campaign label", () => {
    expect(ruleMatches(rule({ queue: "sales", did: "Radio spot", tag: "vip" }), facts)).toBe(true);
    expect(ruleMatches(rule({ queue: "sales", did: "8005552000" }), facts)).toBe(true);
    expect(ruleMatches(rule({ queue: "sales", stage: "lost" }), facts)).toBe(false);
    expect(ruleMatches(rule({ tag: "vip" }), { ...facts, client: null })).toBe(false);
    expect(specificity(rule({ queue: "sales", did: "x", tag: "vip" }))).toBe(3);
  });
});

describe("funnel figures on a hand-made fixture", () => {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, s)).toISOString();
  it("reached, left, answers, median seconds, outcomes, conversion", () => {
    const runs = [
      // 1: hello 10 s, interest 20 s, Yes, email 30 s, sale
      { path: [{ step: "hello", at: at(0) }, { step: "interest", answer: "Yes", at: at(10) }, { step: "email", value: "a@b.co", at: at(30) }, { step: "won", at: at(60) }], outcome: "sale", completed: true, queue: "sales", campaign: "Radio", agent: "1001" },
      // 2: hello 20 s, interest 40 s, No
      { path: [{ step: "hello", at: at(0) }, { step: "interest", answer: "No", at: at(20) }, { step: "lost", at: at(60) }], outcome: "not interested", completed: true, queue: "sales", campaign: "Radio", agent: "1002" },
      // 3: hello 30 s, then the customer hung up at interest
      { path: [{ step: "hello", at: at(0) }, { step: "interest", at: at(30) }], outcome: null, completed: false, queue: "support", campaign: null, agent: "1001" },
      // 4: left at hello
      { path: [{ step: "hello", at: at(0) }], outcome: null, completed: false, queue: "sales", campaign: "Radio", agent: "1001" },
    ];
    const f = computeFunnel(sales, runs);
    expect(f.runs).toBe(4);
    expect(f.completed).toBe(2);
    expect(f.outcomes).toEqual({ sale: 1, "not interested": 1 });
    const step = (id: string) => f.steps.find((s) => s.step === id)!;
    expect(step("hello")).toMatchObject({ reached: 4, left: 1, medianSeconds: 20 }); // 10, 20, 30
    expect(step("interest")).toMatchObject({ reached: 3, left: 1, byAnswer: { Yes: 1, No: 1 }, medianSeconds: 30 }); // 20, 40
    expect(step("email")).toMatchObject({ reached: 1, left: 0, medianSeconds: 30 });
    expect(step("won")).toMatchObject({ reached: 1, left: 0, medianSeconds: null });
    expect(step("later")).toMatchObject({ reached: 0, left: 0 });
    expect(f.steps.map((s) => s.step)).toEqual(["hello", "interest", "email", "lost", "later", "won"]);
    expect(f.byQueue).toEqual([{ key: "sales", runs: 3, completed: 2, converted: 1 }, { key: "support", runs: 1, completed: 0, converted: 0 }]);
    expect(f.byAgent).toEqual([{ key: "1001", runs: 3, completed: 1, converted: 1 }, { key: "1002", runs: 1, completed: 1, converted: 0 }]);
    const csv = funnelCsv(f).split("\r\n");
    expect(csv[0]).toBe("step,type,title,reached,left,left_share,median_seconds,answers");
    expect(csv[2]).toBe("interest,question,,3,1,0.333,30,Yes: 1; No: 1");
  });
});
