/**
 * The emulator fed hostile inputs (issue 15): prototype keys as ids and names anywhere, malformed inspection
 * writes, bad fault patterns, oversized bodies. Nothing may crash (no 5xx), create, return or delete anything.
 */
import fc from "fast-check";
import { startEmulator, type Emulator } from "../../../emulator/server";
import { ovhClient } from "../../helpers/ovhClient";

jest.setTimeout(60_000);
const SN = "0123456789abcdef0123456789abcdef";
const P = `/cloud/project/${SN}`;
const PROTO_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "__defineGetter__",
  "__lookupSetter__",
  "propertyIsEnumerable",
  "toLocaleString",
];

describe("hostile inputs", () => {
  let emu: Emulator;
  let ovh: ReturnType<typeof ovhClient>;
  let log: string[];
  let base: string;
  const inspect = (method: string, path: string, body?: string) =>
    fetch(`${base}/_emulator/${path}`, { method, ...(body !== undefined ? { body } : {}) }).then(
      async (r) => ({
        status: r.status,
        body: (await r.json()) as Record<string, unknown>,
      }),
    );

  beforeAll(async () => {
    log = [];
    emu = await startEmulator({ log: (line) => log.push(line) });
    ovh = ovhClient(emu.endpoint, emu.credentials);
    base = `http://127.0.0.1:${emu.port}`;
    // Something to lose: a key, a network, a cluster.
    await ovh("POST", `${P}/sshkey`, { name: "runteam", publicKey: "ssh-ed25519 AAAA" });
    await ovh("POST", `${P}/network/private`, { serviceName: SN, vlanId: 3, name: "n", regions: ["GRA11"] });
    await ovh("POST", `${P}/kube`, { region: "GRA11", name: "k" });
  });
  afterAll(() => emu.close());

  const snapshot = () => JSON.stringify(emu.store.snapshot().objects);

  it("prototype keys used as ids or names anywhere never crash, create or return anything", async () => {
    const before = snapshot();
    const routes: ((k: string) => [string, string, unknown?])[] = [
      (k) => ["GET", `${P}/sshkey/${k}`],
      (k) => ["DELETE", `${P}/sshkey/${k}`],
      (k) => ["GET", `${P}/network/private/${k}`],
      (k) => ["DELETE", `${P}/network/private/${k}`],
      (k) => [
        "POST",
        `${P}/network/private/${k}/subnet`,
        { network: "10.0.0.0/24", start: "10.0.0.2", end: "10.0.0.9", region: "GRA11" },
      ],
      (k) => ["GET", `${P}/kube/${k}`],
      (k) => ["PUT", `${P}/kube/${k}/updatePolicy`, { updatePolicy: "NEVER_UPDATE" }],
      (k) => ["POST", `${P}/kube/${k}/nodepool`, { flavorName: "b3-8", name: "p" }],
      (k) => ["GET", `${P}/database/${k}/x`],
      (k) => ["GET", `${P}/database/postgresql/${k}`],
      (k) => ["GET", `${P}/region/${k}/volume/${k}`],
      (k) => ["PUT", `${P}/volume/${k}`, { name: "v" }],
      (k) => ["POST", `${P}/volume/${k}/upsize`, { size: 20 }],
      (k) => ["DELETE", `${P}/volume/${k}`],
      (k) => ["POST", `${P}/region/GRA11/volume`, { size: 10, instanceId: k }],
      (k) => ["GET", `${P}/operation/${k}`],
      (k) => ["GET", `${P}/user/${k}`],
      (k) => ["POST", `${P}/user`, { roles: [k] }],
      (k) => ["POST", `${P}/user/${k}/s3Credentials`],
      (k) => ["GET", `${P}/region/GRA/storage/${k}`],
      (k) => ["GET", `${P}/region/GRA/storage/${k}/lifecycle`],
      (k) => ["PUT", `${P}/region/GRA/storage/${k}/lifecycle`, { rules: [{ status: "enabled", [k]: 1 }] }],
      (k) => ["DELETE", `${P}/region/${k}/storage/${k}/lifecycle`],
      (k) => ["GET", `/domain/zone/${k}/record`],
      (k) => ["GET", `/domain/zone/example.com/record/${k}`],
      (k) => [
        "POST",
        `${P}/region/GRA11/workflow/backup`,
        { cron: "1 1 * * *", instanceId: k, name: "b", rotation: 1 },
      ],
      (k) => [
        "POST",
        `${P}/region/GRA11/instance`,
        { name: "vm", flavor: { id: k }, bootFrom: { imageId: k }, network: { public: true } },
      ],
      (k) => ["POST", `${P}/sshkey`, { name: "x", publicKey: "ssh-ed25519 AAAA", [k]: { polluted: true } }],
      (k) => ["PUT", `${P}/database/postgresql/${k}/advancedConfiguration`, { [k]: "1" }],
      (k) => ["GET", `/${k}`],
      (k) => ["GET", `/cloud/project/${k}/kube`],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PROTO_KEYS),
        fc.constantFrom(...routes),
        fc.constantFrom("", "%5F%5Fproto%5F%5F"),
        async (key, route, encoded) => {
          const [method, path, body] = route(encoded && key === "__proto__" ? encoded : key);
          const answer = await ovh(method, path, body);
          expect(answer.status).toBeGreaterThanOrEqual(400);
          expect(answer.status).toBeLessThan(500);
          expect(answer.body).toMatchObject({
            class: expect.stringMatching(/^Client::/),
            message: expect.any(String),
          });
          expect(snapshot()).toBe(before);
        },
      ),
      { numRuns: 300, seed: 15 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses inspection writes that are not well-formed and changes nothing", async () => {
    const before = snapshot();
    for (const body of [
      "not json",
      "{}",
      "[]",
      '[{"kind":"constructor","id":"prototype","set":{"x":1}}]',
      '[{"kind":"network","id":"prototype"}]',
      '[{"kind":"network","id":"x","set":{"__proto__":{"polluted":1}}}]',
      '[{"kind":"network","id":"x","set":{"_meta":{}}}]',
      '[{"kind":"network","id":"x","set":{"toString":1}}]',
    ])
      expect(await inspect("PATCH", "objects", body)).toMatchObject({
        status: 400,
        body: { class: "Client::BadRequest", message: expect.any(String) },
      });
    expect(
      (await inspect("PATCH", "objects", '[{"kind":"kube","id":"__proto__","set":{"name":"x"}}]')).status,
    ).toBe(404);
    expect((await inspect("POST", "reset", '{"all":true}')).status).toBe(400);
    expect((await inspect("PUT", "faults", "")).status).toBe(400);
    expect(snapshot()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("applies a well-formed change behind the toolkit's back", async () => {
    const [net] = emu.store.all("network");
    const answer = await inspect(
      "PATCH",
      "objects",
      JSON.stringify([{ kind: "network", id: net.id, set: { name: "renamed" } }]),
    );
    expect(answer).toEqual({ status: 200, body: { ok: true, changed: 1 } });
    expect(((await ovh("GET", `${P}/network/private/${String(net.id)}`)).body as { name: string }).name).toBe(
      "renamed",
    );
  });

  it("answers a bad fault pattern with a clear 400 and keeps serving", async () => {
    const refused = await inspect("PUT", "faults", JSON.stringify({ rules: [{ route: "(", errorRate: 1 }] }));
    expect(refused).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/route.*not a valid regular expression/) },
    });
    const slow = await inspect(
      "PUT",
      "faults",
      JSON.stringify({ rules: [{ route: "(a+)+$", errorRate: 1 }] }),
    );
    expect(slow.status).toBe(400);
    expect((await ovh("GET", `${P}/kube/${emu.store.all("kube")[0].id as string}`)).status).toBe(200);
  });

  it("refuses a body over 1 MB with OVH's 413 body and stores nothing", async () => {
    const before = snapshot();
    const big = { name: "big", publicKey: "x".repeat(1024 * 1024 + 10) };
    const answer = await ovh("POST", `${P}/sshkey`, big);
    expect(answer).toMatchObject({
      status: 413,
      body: { class: "Client::RequestEntityTooLarge", httpCode: "413" },
    });
    expect(snapshot()).toBe(before);
  });

  it("logs and counts an unknown route with its method and path, and answers OVH's 404", async () => {
    const answer = await ovh("POST", `${P}/volume/x/retype`, { type: "high-speed" });
    expect(answer).toMatchObject({ status: 404, body: { message: "Got an invalid (or empty) URL" } });
    expect(log).toContain(`emulator: no route for POST /1.0${P}/volume/x/retype (answered 404)`);
    const counts = await inspect("GET", "requests");
    expect(counts.body[`UNKNOWN POST /1.0${P}/volume/x/retype`]).toBe(1);
  });
});
