import type { Database } from "../platform/db/database.js";
import type { PathEntry, ScriptGraph } from "./script-graph.js";
import { runFinished, runOutcome } from "./script-graph.js";

/** The support queue's default: what the call is about, then the right branch. */
export const supportScript: ScriptGraph = {
  start: "greeting",
  steps: {
    greeting: { type: "say", title: "Greeting", text: "Thank you for calling ACME support, this is {{agent.name}}. Am I speaking with {{client.name|the account holder}}?", tip: "If the caller is not the account holder, ask for their name before anything else.", next: "topic" },
    topic: { type: "question", title: "Topic", text: "How can I help you today?", options: [{ label: "Billing question", next: "invoice" }, { label: "Something does not work", next: "restart" }, { label: "Wants to cancel", next: "retain" }, { label: "Complaint", next: "complaint-reason" }] },
    invoice: { type: "input", title: "Invoice number", text: "Could you read me the invoice number at the top right of the invoice?", field: "call.invoice", format: "number", next: "billing-done" },
    "billing-done": { type: "end", title: "Billing answered", text: "Explain the charge; offer to email a copy.", outcome: "resolved" },
    restart: { type: "question", title: "Restart", text: "Could you switch the device off and on again, and tell me when it is back?", tip: "Stay on the line while it restarts: most cases end here.", options: [{ label: "Works now", next: "fixed" }, { label: "Still broken", next: "symptom" }] },
    fixed: { type: "end", title: "Fixed", outcome: "resolved" },
    symptom: { type: "input", title: "Symptom", text: "What exactly do you see on the screen?", field: "call.symptom", next: "escalate" },
    escalate: { type: "end", title: "Technician calls back", text: "A technician will call you back within two hours.", outcome: "callback needed" },
    retain: { type: "question", title: "Retention offer", text: "Before you go: we can give you three months at half price. Would that help?", tip: "Offer once; do not insist.", options: [{ label: "Accepts the offer", next: "retained" }, { label: "Cancels anyway", next: "cancelled" }] },
    retained: { type: "end", title: "Retained", outcome: "sale" },
    cancelled: { type: "end", title: "Cancelled", outcome: "not interested" },
    "complaint-reason": { type: "input", title: "Complaint", text: "I am sorry to hear that. Could you tell me what happened?", field: "custom.lastComplaint", next: "complaint" },
    complaint: { type: "end", title: "Complaint logged", text: "A supervisor will contact you within one working day.", outcome: "complaint" },
  },
};

/** The sales queue's script for callers of the radio spot's number. */
export const salesScript: ScriptGraph = {
  start: "intro",
  steps: {
    intro: { type: "say", title: "Intro", text: "Hello {{client.firstName|there}}, {{agent.name}} from ACME. You are calling about {{dialed.campaign|our offer}}?", next: "interest" },
    interest: { type: "question", title: "Interest", text: "The starter plan is 19 dollars a month, first month free. Shall I tell you more?", options: [{ label: "Yes, tell me", next: "needs" }, { label: "Not interested", next: "lost" }, { label: "Call me later", next: "when" }] },
    needs: { type: "question", title: "Team size", text: "How many people would use it?", tip: "Over 10 people: offer the business plan and an appointment.", options: [{ label: "Just me", next: "email" }, { label: "2 to 10", next: "email" }, { label: "More than 10", next: "appointment" }] },
    email: { type: "input", title: "Email", text: "What email address should the order confirmation go to?", field: "client.email", format: "email", next: "sale" },
    sale: { type: "end", title: "Sale", outcome: "sale" },
    appointment: { type: "end", title: "Appointment", text: "Book a demo with the business team.", outcome: "appointment" },
    when: { type: "input", title: "Callback date", text: "When would suit you?", field: "call.callbackAt", format: "date", next: "later" },
    later: { type: "end", title: "Call back", outcome: "callback needed" },
    lost: { type: "end", title: "Not interested", outcome: "not interested" },
  },
};

/** Sample runs of the sales script (linkedid "demo-…", no call behind them) so its funnel has a shape. */
function sampleRuns(count: number, rnd: () => number): PathEntry[][] {
  const runs: PathEntry[][] = [];
  for (let i = 0; i < count; i++) {
    const t0 = Date.now() - (i + 1) * 5_400_000;
    let t = t0;
    const path: PathEntry[] = [];
    const at = (secs: number) => new Date((t += secs * 1000)).toISOString();
    path.push({ step: "intro", at: at(0) });
    if (rnd() < 0.12) {
      runs.push(path);
      continue;
    }
    const r = rnd();
    const interest = r < 0.5 ? "Yes, tell me" : r < 0.8 ? "Not interested" : "Call me later";
    path.push({ step: "interest", at: at(8 + rnd() * 10) });
    path[path.length - 1]!.answer = interest;
    if (interest === "Not interested") path.push({ step: "lost", at: at(20 + rnd() * 30) });
    else if (interest === "Call me later") {
      path.push({ step: "when", at: at(15 + rnd() * 10), value: new Date(t0 + 86_400_000).toISOString().slice(0, 10) });
      path.push({ step: "later", at: at(10 + rnd() * 10) });
    } else {
      path.push({ step: "needs", at: at(30 + rnd() * 40) });
      if (rnd() < 0.15) {
        runs.push(path);
        continue;
      }
      const n = rnd();
      path[path.length - 1]!.answer = n < 0.4 ? "Just me" : n < 0.8 ? "2 to 10" : "More than 10";
      if (n >= 0.8) path.push({ step: "appointment", at: at(20 + rnd() * 20) });
      else {
        path.push({ step: "email", at: at(15 + rnd() * 20), value: `customer${i}@example.com` });
        path.push({ step: "sale", at: at(25 + rnd() * 30) });
      }
    }
    runs.push(path);
  }
  return runs;
}

/**
 * The demo's scripts, published, with their rules: support's default, and sales (its default, and
 * the radio spot's number by its campaign label), plus sample sales runs for the funnel.
 */
export async function seedDemoScripts(db: Database, by: number, rnd: () => number): Promise<void> {
  const add = async (name: string, graph: ScriptGraph): Promise<number> => {
    const [s] = await db.query<{ id: number }>(`INSERT INTO scripts (name, draft, published_version, created_by) VALUES ($1, $2, 1, $3) RETURNING id`, [name, JSON.stringify(graph), by]);
    await db.query(`INSERT INTO script_versions (script_id, version, name, graph, published_by) VALUES ($1, 1, $2, $3, $4)`, [s!.id, name, JSON.stringify(graph), by]);
    return s!.id;
  };
  const support = await add("Support: first contact", supportScript);
  const sales = await add("Sales: radio spot", salesScript);
  for (const [scriptId, queue, did] of [[support, "support", null], [sales, "sales", null], [sales, "sales", "Sales line (radio spot)"]] as const)
    await db.query(`INSERT INTO script_rules (script_id, queue, did) VALUES ($1, $2, $3)`, [scriptId, queue, did]);
  const agents = ["1001", "1002", "1003"];
  for (const [i, path] of sampleRuns(60, rnd).entries()) {
    const done = runFinished(salesScript, path);
    await db.query(
      `INSERT INTO script_runs (linkedid, script_id, version, path, outcome, completed, queue, did, campaign, agent_extension, started_at, applied_at)
       VALUES ($1, $2, 1, $3, $4, $5, 'sales', '8005552000', 'Sales line (radio spot)', $6, $7, $7)`,
      [`demo-${i + 1}`, sales, JSON.stringify(path), done ? runOutcome(salesScript, path) : null, done, agents[i % 3], path[0]!.at],
    );
  }
}
