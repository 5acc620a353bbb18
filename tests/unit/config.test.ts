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

describe("several PBXs in AMI_URL", () => {
  it("takes name=url pairs, the first being the PBX of one-PBX settings", () => {
    const c = loadConfig({ AMI_URL: "east=ami://crm:s1@pbx1:5038, west=ami://crm:s%2C2@pbx2:5039" });
    expect(c.pbxes).toEqual([
      { name: "east", kind: "ami", host: "pbx1", port: 5038, username: "crm", secret: "s1" },
      { name: "west", kind: "ami", host: "pbx2", port: 5039, username: "crm", secret: "s,2" },
    ]);
    expect(c.pbx.name).toBe("east");
    expect(loadConfig({ AMI_URL: "sim" }).pbxes).toEqual([{ name: "main", kind: "sim" }]);
  });

  it("refuses unnamed, duplicate or badly named entries and two simulators, never showing a secret", () => {
    for (const bad of ["ami://crm:s3cret@a:1,ami://crm:s3cret@b:2", "x=ami://crm:s3cret@a:1,x=ami://crm:s3cret@b:2", "Bad Name=ami://crm:s3cret@a:1,b=sim", "a=sim,b=sim", "a=ami://crm:s3cret%0d@a:1,b=sim"]) {
      let msg = "";
      try {
        loadConfig({ AMI_URL: bad });
      } catch (err) {
        msg = (err as Error).message;
      }
      expect(msg).toMatch(/AMI_URL/);
      expect(msg).not.toContain("s3cret");
    }
  });
});

describe("TRUST_PROXY", () => {
  it("takes loopback, false, a number of hops or subnets, and refuses anything else", () => {
    expect(loadConfig({}).trustProxy).toBe("loopback");
    expect(loadConfig({ TRUST_PROXY: "false" }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "1" }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: "10.0.0.0/8, loopback" }).trustProxy).toBe("10.0.0.0/8, loopback");
    for (const bad of ["true", "*", "10.0.0.1; rm -rf"]) expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
  });
});

describe("AMI_URL credentials", () => {
  const problemsOf = (amiUrl: string): string[] => {
    try {
      loadConfig({ AMI_URL: amiUrl });
      return [];
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).problems;
    }
  };

  it.each([
    ["CRLF in the secret", "ami://crm:s3cret%0d%0aAction:%20Originate@pbx.local:5038"],
    ["upper-case CRLF in the secret", "ami://crm:s3cret%0D%0AAction:%20Logoff@pbx.local:5038"],
    ["LF alone in the secret", "ami://crm:s3cret%0aX@pbx.local"],
    ["CR in the user", "ami://crm%0d:s3cret@pbx.local:5038"],
    ["NUL in the secret", "ami://crm:s3cret%00@pbx.local:5038"],
    ["a tab in the user", "ami://cr%09m:s3cret@pbx.local:5038"],
    ["a malformed escape", "ami://crm:s3cret%zz@pbx.local:5038"],
    ["a control character in the host", "ami://crm:s3cret@pbx%0d.local:5038"],
  ])("refuses %s, naming AMI_URL and never the secret", (_what, url) => {
    const problems = problemsOf(url);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join("\n")).toMatch(/^AMI_URL: /);
    expect(problems.join("\n")).not.toContain("s3cret");
  });

  it("decodes ordinary %-escapes, ':' included, into the login", () => {
    const c = loadConfig({ AMI_URL: "ami://crm%2Bops:p%40ss%3Aw0rd@pbx.local:5039" });
    expect(c.pbx).toEqual({ name: "main", kind: "ami", host: "pbx.local", port: 5039, username: "crm+ops", secret: "p@ss:w0rd" });
    expect(loadConfig({ AMI_URL: "ami://crm:pa:ss@10.0.0.5" }).pbx).toMatchObject({ host: "10.0.0.5", port: 5038, secret: "pa:ss" });
  });
});
