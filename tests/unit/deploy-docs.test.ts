// docs/deploy.md shows the production files as they are: the nginx configuration that
// npm run cluster renders, and the systemd unit and environment file.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const read = (p: string) => fs.readFileSync(path.join(root, p), "utf8");

describe("docs/deploy.md", () => {
  const doc = read("docs/deploy.md");
  it.each(["deploy/nginx/crm.conf.template", "deploy/systemd/crm.service", "deploy/systemd/crm.env"])("shows %s verbatim", (file) => {
    expect(doc).toContain(read(file));
  });

  it("the nginx template has the placeholders scripts/cluster.sh fills in", () => {
    const tpl = read("deploy/nginx/crm.conf.template");
    expect(tpl).toMatch(/^@NODES@$/m);
    expect(tpl).toContain("listen @LISTEN@;");
    expect(read("scripts/cluster.sh")).toContain("deploy/nginx/crm.conf.template");
  });
});
