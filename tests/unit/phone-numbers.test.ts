import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { looksLikePhone, normalizePhone, phoneKey } from "../../server/crm/phone-numbers.js";

/** Valid numbers of several numbering plans, as E.164. */
const samples = ["+14155550123", "+12125550199", "+442079460958", "+493012345678", "+33142685300", "+61291234567", "+819012345678", "+5511987654321"];

/** Ways people write the same number: separators, grouping, brackets, tel: and 00 prefixes. */
const writtenForm = (e164: string) =>
  fc
    .record({
      sep: fc.constantFrom(" ", "-", ".", "", "/"),
      groups: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 6 }),
      prefix: fc.constantFrom("+", "00", "tel:+"),
      pad: fc.constantFrom("", " ", "  "),
      brackets: fc.boolean(),
    })
    .map(({ sep, groups, prefix, pad, brackets }) => {
      const digits = e164.slice(1);
      const cc = digits.length > 11 ? 2 : 1;
      const parts: string[] = [digits.slice(0, cc)];
      let i = cc;
      for (const g of groups) {
        if (i >= digits.length) break;
        parts.push(digits.slice(i, i + g));
        i += g;
      }
      if (i < digits.length) parts.push(digits.slice(i));
      if (brackets && parts.length > 2) parts[1] = `(${parts[1]})`;
      return `${pad}${prefix}${parts.join(sep)}${pad}`;
    });

describe("phone number normalization", () => {
  it("reads every written form of a number as the same E.164", () => {
    fc.assert(
      fc.property(fc.constantFrom(...samples).chain((n) => fc.tuple(fc.constant(n), writtenForm(n))), ([e164, written]) => {
        expect(phoneKey(written, "US")).toBe(e164);
      }),
      { numRuns: 500 },
    );
  });

  it("is idempotent: normalizing a normalized number gives it back, whatever the default country", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.constantFrom("US", "DE", "GB", "FR", "BR"), (s, country) => {
        const n = normalizePhone(s, country);
        if (n.kind === "e164" || n.kind === "internal") expect(phoneKey(n.number, country)).toBe(n.number);
      }),
      { numRuns: 2000 },
    );
  });

  it("never throws and never lets CR, LF or NUL through, on any input", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80, unit: "binary" }), (s) => {
        const n = normalizePhone(s, "US");
        if (n.kind === "e164") expect(n.number).toMatch(/^\+[1-9]\d{6,14}$/);
        if (n.kind === "internal") expect(n.number).toMatch(/^\d{1,6}$/);
      }),
      { numRuns: 3000 },
    );
    expect(normalizePhone("+1 415\r\nAction: Originate", "US").kind).toBe("invalid");
    expect(normalizePhone("1001\u0000", "US").kind).toBe("invalid");
  });

  it("reads national numbers in the default country", () => {
    expect(phoneKey("(415) 555-0123", "US")).toBe("+14155550123");
    expect(phoneKey("030 12345678", "DE")).toBe("+493012345678");
    expect(phoneKey("020 7946 0958", "GB")).toBe("+442079460958");
    expect(phoneKey("011 49 30 12345678", "US")).toBe("+493012345678");
  });

  it("keeps extensions and short codes as digits, and recognises withheld callers", () => {
    expect(normalizePhone("1001", "US")).toEqual({ kind: "internal", number: "1001" });
    expect(normalizePhone("112", "DE")).toEqual({ kind: "internal", number: "112" });
    for (const w of ["", "<unknown>", "anonymous", "Anonymous", " private "]) expect(normalizePhone(w, "US").kind).toBe("withheld");
  });

  it("says why a number is refused", () => {
    expect(normalizePhone("call me", "US")).toMatchObject({ kind: "invalid", reason: expect.stringContaining("only digits") });
    expect(normalizePhone("41+5", "US")).toMatchObject({ kind: "invalid", reason: expect.stringContaining("'+'") });
    expect(normalizePhone("1".repeat(50), "US")).toMatchObject({ kind: "invalid", reason: expect.stringContaining("longer") });
    expect(normalizePhone("+1", "US")).toMatchObject({ kind: "invalid" });
  });

  it("tells search text that is a number from a name", () => {
    expect(looksLikePhone("(415) 555-0123")).toBe(true);
    expect(looksLikePhone("+49 30 1234")).toBe(true);
    expect(looksLikePhone("Grace")).toBe(false);
    expect(looksLikePhone("12")).toBe(false);
  });
});
