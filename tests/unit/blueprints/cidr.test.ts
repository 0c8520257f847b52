import { carve, contains, formatCidr, overlaps, parseCidr } from "../../../blueprints/lib/cidr";

const cidr = (t: string) => {
  const p = parseCidr(t);
  if (!p.ok) throw new Error(`bad fixture ${t}`);
  return p.cidr;
};

describe("parseCidr", () => {
  it.each([
    ["10.0.0.0/16", true, undefined, "a plain private block"],
    ["10.0.0.1/16", false, "10.0.0.0/16", "host bits set: suggests the aligned block"],
    ["300.0.0.0/8", false, undefined, "octet out of range"],
    ["10.0.0.0/33", false, undefined, "prefix too long"],
    ["10.0.0/8", false, undefined, "three octets"],
    ["0.0.0.0/0", true, undefined, "everything"],
  ])("%s → ok=%s (%s)", (text, ok, suggestion, _reason) => {
    const p = parseCidr(text);
    expect(p.ok).toBe(ok);
    if (!p.ok) expect(p.suggestion).toBe(suggestion);
  });
});

describe("containment and carving", () => {
  it.each([
    ["10.0.0.0/16", "10.0.5.0/24", true],
    ["10.0.0.0/16", "10.1.0.0/24", false],
    ["10.0.0.0/24", "10.0.0.0/16", false],
  ])("%s contains %s: %s", (a, b, expected) => expect(contains(cidr(a), cidr(b))).toBe(expected));

  it("detects overlap both ways and not between neighbours", () => {
    expect(overlaps(cidr("10.0.1.0/24"), cidr("10.0.1.128/25"))).toBe(true);
    expect(overlaps(cidr("10.0.1.128/25"), cidr("10.0.1.0/24"))).toBe(true);
    expect(overlaps(cidr("10.0.1.0/24"), cidr("10.0.2.0/24"))).toBe(false);
  });

  it("carves consecutive /24s and refuses what does not fit", () => {
    const outer = cidr("10.9.0.0/23");
    expect(formatCidr(carve(outer, 24, 0)!)).toBe("10.9.0.0/24");
    expect(formatCidr(carve(outer, 24, 1)!)).toBe("10.9.1.0/24");
    expect(carve(outer, 24, 2)).toBeUndefined();
  });
});
