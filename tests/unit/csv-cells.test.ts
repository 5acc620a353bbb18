import { describe, expect, it } from "vitest";
import { defuseCell, restoreCell } from "../../server/crm/csv-cells.js";
import { formulaPayloads } from "../support/csv-payloads.js";

const payloads = formulaPayloads;

describe("CSV cells a spreadsheet would evaluate", () => {
  it.each(payloads)("defuses %j and restores it exactly", (p) => {
    expect(defuseCell(p)).toBe(`'${p}`);
    expect(restoreCell(defuseCell(p))).toBe(p);
  });

  it("defuses tab, CR and LF starts, a formula after spaces, the full-width minus, and E.164 numbers", () => {
    for (const v of ["\t=1+1", "\r=1+1", "\n=1", "  =1+1", "\uFF0D1+1", "+14155550123", "+14155550123;+12125550102", "-"])
      expect(defuseCell(v), JSON.stringify(v)).toBe(`'${v}`);
  });

  it("keeps ordinary cells as they are, apostrophes included", () => {
    for (const v of ["Alice", "O'Brien", "'hello", "2026-01-01T00:00:00.000Z", "1+1", "a=b", "", "vip;newsletter", "yes"]) {
      expect(defuseCell(v)).toBe(v);
      expect(restoreCell(v)).toBe(v);
    }
  });

  it("round-trips values that begin with apostrophes before a trigger", () => {
    for (const v of ["'=1+1", "''+1", "'@x"]) {
      expect(defuseCell(v)).toBe(`'${v}`);
      expect(restoreCell(defuseCell(v))).toBe(v);
    }
  });

  it("leaves a hand-written formula without an apostrophe to the import's validation", () => {
    expect(restoreCell("=1+1")).toBe("=1+1");
  });
});
