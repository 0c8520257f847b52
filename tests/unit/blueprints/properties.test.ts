/**
 * Property tests: whatever the input, the loader answers with located blueprint errors or a result, never
 * anything else; and the order of named lists never changes a derived name.
 */
import fc from "fast-check";
import { stringify } from "yaml";
import { BlueprintError } from "../../../blueprints/lib/issues";
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import { parseSource } from "../../../blueprints/lib/source";
import { tempRepo } from "../../helpers/fixtures";

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);

describe("loader robustness", () => {
  const repo = tempRepo();
  const loader = repo.loader();

  it("answers arbitrary text with a result or located issues only", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: "binary" }),
          fc.json().map((j) => j),
          fc.uint8Array().map((b) => Buffer.from(b).toString("latin1")),
        ),
        (text) => {
          const file = repo.write("clients/acme/prop.yaml", text);
          try {
            const issues = new BlueprintLoader({ repository: loader.repository }).checkFile(file);
            for (const i of issues) {
              expect(i.line).toBeGreaterThanOrEqual(1);
              expect(i.col).toBeGreaterThanOrEqual(1);
              expect(i.message.length).toBeGreaterThan(0);
              expect(i.pointer === "" || i.pointer.startsWith("/")).toBe(true);
            }
          } catch (e) {
            if (!(e instanceof BlueprintError)) throw e;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("parses arbitrary bytes into a tree or located issues without throwing", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const r = parseSource("x.yaml", Buffer.from(bytes));
        if (!r.ok) for (const i of r.issues) expect(i.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });

  it("reports a located issue, never a crash, for a file larger than the limit", () => {
    const big = "apiVersion: majordome/v1\nkind: Environment\n" + "# padding\n".repeat(60000);
    const r = parseSource("big.yaml", big);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ line: 1, col: 1, code: "source.too-large" });
  });
});

describe("stable names", () => {
  const repo = tempRepo();

  const server = fc.record({
    flavor: fc.constantFrom("b3-8", "b3-16", "c3-4"),
    count: fc.integer({ min: 0, max: 3 }),
  });
  const groups = fc.uniqueArray(fc.tuple(name, server), { minLength: 1, maxLength: 6, selector: ([n]) => n });

  it("reordering servers, buckets and databases changes no derived resource name", () => {
    fc.assert(
      fc.property(
        groups,
        fc.uniqueArray(name, { minLength: 0, maxLength: 4 }),
        fc.nat(),
        (servers, buckets, seed) => {
          const doc = (order: (xs: unknown[]) => unknown[]) => ({
            apiVersion: "majordome/v1",
            kind: "Environment",
            metadata: { client: "acme", environment: "prop" },
            target: { provider: "ovh", regions: ["GRA11"] },
            servers: order(servers.map(([n, s]) => ({ name: n, image: "Debian 12", public: true, ...s }))),
            buckets: order(buckets.map((b) => ({ name: b }))),
          });
          const shuffle = (xs: unknown[]) =>
            [...xs].sort(
              (a, b) =>
                ((JSON.stringify(a).length * 31 + seed) % 7) - ((JSON.stringify(b).length * 31 + seed) % 7) ||
                (JSON.stringify(a) < JSON.stringify(b) ? 1 : -1),
            );
          const names = (text: string) => {
            const file = repo.write("clients/acme/prop.yaml", text);
            const { resolved } = repo.loader().loadEnvironmentFile(file);
            const byKey = (xs: readonly { name: string; resourceName: string }[]) =>
              Object.fromEntries(xs.map((x) => [x.name, x.resourceName]));
            return { servers: byKey(resolved.servers), buckets: byKey(resolved.buckets) };
          };
          expect(names(stringify(doc(shuffle)))).toEqual(names(stringify(doc((xs) => xs))));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("reserved keys", () => {
  it("refuses __proto__, constructor and prototype as keys in any mapping, located", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("__proto__", "constructor", "prototype"),
        fc.constantFrom("metadata", "operations", "target", "network"),
        (key, section) => {
          const text = `apiVersion: majordome/v1\nkind: Environment\nmetadata:\n  client: acme\n  environment: x\n${section === "metadata" ? "" : `${section}:\n`}  ${key}: { tier: development }\n`;
          const parsed = parseSource("x.yaml", Buffer.from(text));
          const issues = parsed.ok ? [] : parsed.issues;
          const issue = issues.find((i) => i.code === "source.reserved-key");
          expect(issue?.message).toBe(`"${key}" is not allowed as a key`);
          expect(issue?.pointer).toBe(`/${section}/${key}`);
          expect(Object.getPrototypeOf({})).toBe(Object.prototype);
        },
      ),
    );
  });
});
