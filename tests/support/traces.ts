import fs from "node:fs";
import path from "node:path";

/** The real Asterisk 22 transcripts shared with the project (../shared/ami-traces beside the repo). */
export const tracesDir = path.resolve(import.meta.dirname, "../../../shared/ami-traces");

export function traceFiles(): string[] {
  return fs.readdirSync(tracesDir).filter((f) => f.endsWith(".ami.log")).sort();
}

export function readTrace(name: string): Buffer {
  return fs.readFileSync(path.join(tracesDir, name));
}

export interface TraceSummary {
  connections: { file: string; messages: number; events_total: number; events_by_name: Record<string, number> }[];
}

export function traceSummary(scenario: string): TraceSummary {
  return JSON.parse(fs.readFileSync(path.join(tracesDir, `asterisk-22.10.1-${scenario}.summary.json`), "utf8")) as TraceSummary;
}
