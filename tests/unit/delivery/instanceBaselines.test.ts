/**
 * OVH instances get their baseline at first boot only: what each was built with (recorded in its user data)
 * against what the blueprint now asks, and the report sections written from what was built.
 */
import * as pulumi from "@pulumi/pulumi";
import { ServerGroup } from "../../../components/ovh";
import { readBaselineMarker } from "../../../components/ovh/userData";
import {
  askedBaselines,
  compareInstanceBaselines,
  describeStaleInstances,
} from "../../../scripts/delivery/instanceBaselines";
import {
  bucketLifecycleRows,
  instanceBaselineRows,
  labelRows,
  ownerLine,
} from "../../../scripts/delivery/reportBuilt";
import { serverUserData } from "../../../stacks/families/servers";
import { fixtureLoader } from "../../helpers/fixtures";
import { underMocks } from "../../helpers/mockPulumi";

const resolved = () => fixtureLoader().loadEnvironment("acme", "staging").resolved;

/** An inventory as the last delivery left it: each instance of `web` built with `baseline`. */
function inventoryBuiltWith(baseline: Record<string, string> | null, count = 2, userDataSha256?: string) {
  const env = resolved();
  const asked = askedBaselines(env).web;
  return {
    servers: {
      web: {
        count,
        instances: Array.from({ length: count }, (_, i) => ({
          name: `acme-staging-web-${i + 1}`,
          userDataSha256: userDataSha256 ?? asked.userDataSha256,
          baseline,
        })),
      },
    },
  };
}

describe("compareInstanceBaselines", () => {
  it("finds nothing when the instances run what the blueprint asks", () => {
    const env = resolved();
    expect(compareInstanceBaselines(inventoryBuiltWith(askedBaselines(env).web.baseline), env)).toEqual({
      stale: [],
      unrecorded: [],
    });
  });

  it("names each instance and each differing setting, with what was built and what is asked", () => {
    const env = resolved();
    const asked = askedBaselines(env).web.baseline;
    const built = { ...asked, "security updates": "manual", monitoring: "off" };
    const { stale } = compareInstanceBaselines(inventoryBuiltWith(built), env);
    expect(stale.map((s) => s.instance)).toEqual(["acme-staging-web-1", "acme-staging-web-2"]);
    expect(stale[0].differences).toEqual([
      { setting: "security updates", found: "manual", expected: asked["security updates"] },
      { setting: "monitoring", found: "off", expected: asked.monitoring },
    ]);
    expect(describeStaleInstances(stale)[0]).toBe(
      `acme-staging-web-1: security updates: built with "manual", the blueprint asks "${asked["security updates"]}"`,
    );
  });

  it("ignores instances the blueprint removes, and says which instances recorded no baseline", () => {
    const env = resolved(); // web counts 2
    const { stale, unrecorded } = compareInstanceBaselines(inventoryBuiltWith(null, 3), env);
    expect(stale).toEqual([]);
    expect(unrecorded.map((u) => u.instance)).toEqual(["acme-staging-web-1", "acme-staging-web-2"]);
  });

  it("sees a changed user data script when the baseline is the same", () => {
    const env = resolved();
    const { stale } = compareInstanceBaselines(
      inventoryBuiltWith(askedBaselines(env).web.baseline, 1, "f".repeat(64)),
      env,
    );
    expect(stale[0].differences.map((d) => d.setting)).toEqual(["user data script"]);
  });

  it("names a changed run-team source restriction, which running instances would not get", () => {
    const before = resolved();
    const builtWith = askedBaselines(before).web.baseline;
    const now = {
      ...before,
      operations: {
        ...before.operations,
        runTeamAccess: { ...before.operations.runTeamAccess, sourceCidrs: ["203.0.113.0/24"] },
      },
    };
    const { stale } = compareInstanceBaselines(inventoryBuiltWith(builtWith), now);
    const runTeam = stale[0].differences.find((d) => d.setting === "run team");
    expect(runTeam?.found).not.toContain("from");
    expect(runTeam?.expected).toContain("from 203.0.113.0/24");
  });

  it("reads the asked baseline from the user data the program renders", () => {
    const env = resolved();
    const summary = readBaselineMarker(serverUserData(env, env.servers[0]));
    expect(summary).toEqual(askedBaselines(env).web.baseline);
    expect(summary?.labels).toContain("majordome-environment=staging");
  });
});

describe("report sections from what was built", () => {
  it("shows each group's instances with the baseline they were built with, or says it is not recorded", () => {
    const rows = instanceBaselineRows({
      servers: {
        web: {
          instances: [
            { name: "w-1", baseline: { "security updates": "automatic in sun 02:00-04:00" } },
            { name: "w-2", baseline: { "security updates": "automatic in sun 02:00-04:00" } },
            { name: "w-3", baseline: null },
          ],
        },
      },
    });
    expect(rows).toEqual([
      ["web", "w-1, w-2", "security updates: automatic in sun 02:00-04:00"],
      ["web", "w-3", "not recorded (built before Majordome recorded first-boot baselines)"],
    ]);
  });

  it("lists labels where they are: bucket tags as held, instances' and hosts' labels file", () => {
    const rows = labelRows({
      client: "acme",
      environment: "shop",
      labels: { team: "shop" },
      buckets: { media: { name: "acme-media", tags: { team: "shop", "lifecycle-expire-days": "3" } } },
      servers: { web: { instances: [{ name: "w-1", baseline: { labels: "team=shop" } }] } },
      hosts: { origin: { steps: ["connect", "baseline"] }, bare: { steps: ["connect"] } },
    });
    expect(rows).toEqual([
      ["bucket acme-media", "bucket tags", "team=shop"],
      ["instances w-1", "/etc/majordome/labels (first boot)", "team=shop"],
      ["host origin", "/etc/majordome/labels.d/acme.shop (baseline step)", "team=shop"],
    ]);
  });

  it("describes each bucket's lifecycle rules as OVH holds them, rules set outside Majordome included", () => {
    const rows = bucketLifecycleRows({
      buckets: {
        media: {
          name: "acme-media",
          lifecycle: [
            { id: "expire-current", status: "enabled", expiration: { days: 180 } },
            {
              id: "expire-noncurrent",
              status: "enabled",
              noncurrentVersionExpiration: { noncurrentDays: 90 },
            },
          ],
        },
        logs: {
          name: "acme-logs",
          lifecycle: [
            {
              id: "by-hand",
              status: "disabled",
              filter: { prefix: "tmp/" },
              abortIncompleteMultipartUpload: { daysAfterInitiation: 2 },
              transitions: [{ days: 30, storageClass: "STANDARD_IA" }],
            },
          ],
        },
        plain: { name: "acme-plain", lifecycle: [] },
      },
    });
    expect(rows).toEqual([
      [
        "bucket acme-media",
        "expire-current: objects deleted 180 days after creation; expire-noncurrent: old versions deleted 90 days after they are replaced",
      ],
      [
        "bucket acme-logs",
        'by-hand [disabled]: unfinished uploads aborted after 2 days, storage-class transitions (keys under "tmp/")',
      ],
      ["bucket acme-plain", "none: objects are kept until deleted"],
    ]);
    expect(bucketLifecycleRows({})).toEqual([]);
  });

  it("names the owner the inventory records, and says when there is none", () => {
    expect(ownerLine({ owner: "ops@acme.example" })).toBe("Owner of this environment: ops@acme.example.");
    expect(ownerLine({})).toContain("No owner recorded");
  });
});

describe("ServerGroup: built and asked baselines", () => {
  const base = {
    serviceName: "0123456789abcdef0123456789abcdef",
    region: "GRA11",
    flavorId: "f",
    imageId: "i",
    count: 2,
  };

  it("exports what each instance was built with, and keeps user data first-boot only unless rebuilt", async () => {
    const env = resolved();
    const userData = serverUserData(env, env.servers[0]);
    const ignored = new Map<string, readonly string[]>();
    let group: ServerGroup | undefined;
    await underMocks(
      (opts) =>
        (group = new ServerGroup(
          "web",
          { ...base, userData, rebuild: ["web-2"] },
          {
            ...opts,
            transformations: [
              ...(opts.transformations ?? []),
              (a) => {
                if (a.type === "ovh:CloudProject/instance:Instance")
                  ignored.set(a.name, a.opts.ignoreChanges ?? []);
                return undefined;
              },
            ],
          },
        )),
      (g) => (g as ServerGroup).built,
    );
    expect(ignored.get("web-1")).toEqual(["userData"]);
    expect(ignored.get("web-2")).toEqual([]);
    const built = await new Promise<unknown>((resolve) => pulumi.output(group!.built).apply(resolve));
    expect(built).toEqual([
      { name: "web-1", userDataSha256: group!.asked.userDataSha256, baseline: group!.asked.baseline },
      { name: "web-2", userDataSha256: group!.asked.userDataSha256, baseline: group!.asked.baseline },
    ]);
    expect(group!.asked.baseline).toEqual(askedBaselines(env).web.baseline);
  });
});
