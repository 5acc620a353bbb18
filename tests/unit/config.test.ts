import { describe, expect, it } from "vitest";
import { ConfigError, describeConfig, loadConfig } from "../../server/platform/config.js";

describe("configuration", () => {
  it("has working defaults for the embedded demo", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, databaseUrl: null, amiUrl: "sim", defaultCountry: "US", redisUrlDefaulted: true });
    expect(c.dataDir).toMatch(/var$/);
  });

  it("lists every bad variable in one error", () => {
    let err: unknown;
    try {
      loadConfig({ PORT: "70000", DATABASE_URL: "mysql://x", AMI_URL: "http://pbx", DEFAULT_COUNTRY: "XX", BOOTSTRAP_ADMIN_PASSWORD: "short" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join("\n");
    for (const name of ["PORT", "DATABASE_URL", "AMI_URL", "DEFAULT_COUNTRY", "BOOTSTRAP_ADMIN_PASSWORD"]) expect(problems).toContain(name);
  });

  it("never shows secrets in its description", () => {
    const c = loadConfig({ AMI_URL: "ami://crm:s3cret@pbx.local:5038", DATABASE_URL: "postgresql://u:pw@db/crm", BOOTSTRAP_ADMIN_PASSWORD: "hunter2hunter2" });
    const text = JSON.stringify(describeConfig(c));
    expect(text).not.toContain("s3cret");
    expect(text).not.toContain(":pw@");
    expect(text).not.toContain("hunter2");
  });
});
