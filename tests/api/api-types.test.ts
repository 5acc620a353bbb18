import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { apiTypesFile, generateApiTypes } from "../../scripts/api-types.js";

/** Where two texts first differ, as `line N: committed … / generated …`; null when they are equal. */
function firstDifference(committed: string, generated: string): string | null {
  if (committed === generated) return null;
  const a = committed.split("\n");
  const b = generated.split("\n");
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return `line ${i + 1}: committed ${JSON.stringify(a[i] ?? "<end of file>")}, generated ${JSON.stringify(b[i] ?? "<end of file>")}`;
}

/**
 * The console's API types (agent-ui/src/api/openapi.d.ts) are what scripts/api-types.ts makes of
 * the OpenAPI document now: a change to a route's zod schema without `npm run api:types` fails
 * here instead of leaving the console on the old shape.
 */
describe("the console's generated API types", () => {
  it("agent-ui/src/api/openapi.d.ts matches the server's OpenAPI document", async () => {
    const committed = await readFile(apiTypesFile, "utf8").catch(() => "");
    const generated = await generateApiTypes();
    const diff = firstDifference(committed, generated);
    if (diff) expect.fail(`agent-ui/src/api/openapi.d.ts is stale (${diff}): run npm run api:types and commit the file`);
  });

  it("the comparison sees a change anywhere in the file", async () => {
    const generated = await generateApiTypes();
    expect(firstDifference(generated, generated)).toBeNull();
    const edited = generated.replace("shortAbandonSeconds: number;", "shortAbandonSeconds: string;");
    expect(edited).not.toBe(generated);
    expect(firstDifference(edited, generated)).toMatch(/^line \d+: committed ".*shortAbandonSeconds: string;", generated ".*shortAbandonSeconds: number;"$/);
    expect(firstDifference(generated.trimEnd(), generated)).toMatch(/generated ""$/);
  });

  it("names the schemas the console aliases", async () => {
    const generated = await generateApiTypes();
    for (const name of ["CallsReport", "CallsReportRow", "AgentsReport", "AgentReportRow", "BusinessReport", "ApiToken", "ApiTokenCreated", "Webhook", "WebhookCreated", "WebhookDelivery"])
      expect(generated, name).toMatch(new RegExp(`^        ${name}: \\{`, "m"));
  });
});
