/** `buckets[].bucketName`: an exact, unprefixed S3 name — accepted, planned as is, refused when S3 would refuse it. */
import { BlueprintError } from "../../../blueprints/lib/issues";
import { planEnvironment } from "../../../scripts/plan/plan";
import { tempRepo } from "../../helpers/fixtures";

const ENV = (buckets: string) => `apiVersion: majordome/v1
kind: Environment
metadata:
  client: acme
  environment: staging
target:
  provider: ovh
  regions: [GRA11]
buckets:
${buckets}`;

function load(buckets: string) {
  const repo = tempRepo();
  const file = repo.write("clients/acme/staging.yaml", ENV(buckets));
  return { loader: repo.loader(), file };
}

function problems(buckets: string) {
  const { loader, file } = load(buckets);
  try {
    loader.loadEnvironmentFile(file);
    return [];
  } catch (e) {
    if (!(e instanceof BlueprintError)) throw e;
    return e.issues.map((i) => `${i.line}:${i.col} ${i.pointer} ${i.code}: ${i.message}`);
  }
}

describe("exact bucket names", () => {
  it("are planned as written, without the client prefix; other buckets keep theirs", async () => {
    const { loader, file } = load(
      "  - name: assets\n    bucketName: cdn.acme-assets.example\n  - name: logs\n",
    );
    const { resolved } = loader.loadEnvironmentFile(file);
    const plan = await planEnvironment(resolved, loader.catalog);
    const names = plan.resources
      .filter((r) => r.type === "ovh:CloudProject/storage:Storage")
      .map((r) => [r.name, r.keyInputs.name]);
    expect(names).toEqual([
      ["acme-staging-storage-assets", "cdn.acme-assets.example"],
      ["acme-staging-storage-logs", "acme-staging-logs"],
    ]);
  });

  it("are refused, located, when S3 would refuse them", () => {
    expect(problems("  - name: a\n    bucketName: Bad_Name\n")).toEqual([
      expect.stringMatching(/^11:17 \/buckets\/0\/bucketName schema\.pattern/),
    ]);
    expect(problems("  - name: a\n    bucketName: my..bucket\n")).toEqual([
      '11:17 /buckets/0/bucketName bucket.name: bucket name "my..bucket" contains two dots in a row, which S3 refuses',
    ]);
    expect(problems("  - name: a\n    bucketName: 192.168.1.10\n")).toEqual([
      '11:17 /buckets/0/bucketName bucket.name: bucket name "192.168.1.10" is shaped like an IP address, which S3 refuses',
    ]);
    expect(problems("  - name: a\n    bucketName: xn--bucket\n")[0]).toContain("reserved prefix");
  });

  it("may not take another bucket's name", () => {
    expect(problems("  - name: logs\n  - name: a\n    bucketName: acme-staging-logs\n")).toEqual([
      '12:17 /buckets/1/bucketName names.duplicate: bucket name "acme-staging-logs" is also the name of bucket "logs"',
    ]);
  });
});

describe("public-read buckets", () => {
  it.each(["publicRead: true", "policy: public-read", "acl: public-read"])(
    "are refused where written (%s), saying why OVH cannot keep them and what to do instead",
    (field) => {
      const [problem] = problems(`  - name: assets\n    ${field}\n`);
      expect(problem).toMatch(/^11:5 \/buckets\/0\/\w+ schema\.additionalProperties: unknown field/);
      const { loader, file } = load(`  - name: assets\n    ${field}\n`);
      try {
        loader.loadEnvironmentFile(file);
        throw new Error("accepted");
      } catch (e) {
        expect((e as BlueprintError).issues[0].hint).toContain("OVH Object Storage has no bucket policies");
      }
    },
  );
});
