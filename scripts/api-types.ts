// npm run api:types: writes the console's API types (agent-ui/src/api/openapi.d.ts) from the
// OpenAPI document the server serves at GET /api/openapi.json, itself built from the routes' zod
// schemas. Built in this process: no server, no database. tests/api/api-types.test.ts fails when
// the committed file differs from what this writes.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";
import { buildOpenApi } from "../server/integration/openapi.js";

export const apiTypesFile = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "agent-ui", "src", "api", "openapi.d.ts");

const header = `/**
 * Generated from the server's OpenAPI document (server/integration/openapi.ts, from the zod
 * schemas in server/integration/openapi-routes.ts) by scripts/api-types.ts with openapi-typescript.
 * Do not edit: change the server's schemas, then run \`npm run api:types\`.
 */

`;

/** The file's text: the same document always gives the same bytes (no date, no version). */
export async function generateApiTypes(): Promise<string> {
  // The version is left out of the types; a fixed one keeps the input itself stable.
  const doc = buildOpenApi("0") as OpenAPI3;
  const ast = await openapiTS(doc, { silent: true });
  return header + astToString(ast).trimEnd() + "\n";
}

async function main(): Promise<void> {
  const text = await generateApiTypes();
  const old = await readFile(apiTypesFile, "utf8").catch(() => null);
  if (old === text) {
    console.log(`${path.relative(process.cwd(), apiTypesFile)} is up to date`);
    return;
  }
  await writeFile(apiTypesFile, text);
  console.log(`wrote ${path.relative(process.cwd(), apiTypesFile)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
