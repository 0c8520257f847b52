/**
 * The OVH API emulator over real HTTP on loopback: signing, OVH-shaped errors, asynchronous statuses,
 * echo fidelity, persistence, fault injection — and the real OVH Go client (go-ovh) talking to it.
 */
import { execFile } from "child_process";
import { promisify } from "util";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../base/paths";
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator } from "../../emulator/server";
import { ovhClient } from "../helpers/ovhClient";

jest.setTimeout(5 * 60 * 1000);
const execFileAsync = promisify(execFile);
const SN = "0123456789abcdef0123456789abcdef";
const P = `/cloud/project/${SN}`;

describe("OVH API emulator", () => {
  let emu: Emulator;
  let dir: string;
  let ovh: ReturnType<typeof ovhClient>;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-emu-"));
    emu = await startEmulator({ stateFile: path.join(dir, "state.json"), zones: ["acme.example"] });
    ovh = ovhClient(emu.endpoint, DEFAULT_CREDENTIALS);
  });
  afterEach(async () => {
    await emu.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("answers the provider's handshake: a bare integer time, then signed auth details", async () => {
    const time = await fetch(`${emu.endpoint}/auth/time`).then((r) => r.text());
    expect(Math.abs(Number(time) - Date.now() / 1000)).toBeLessThan(5);
    expect((await ovh("GET", "/auth/details")).body).toMatchObject({ account: "xx1234-ovh" });
  });

  it("refuses bad signatures, stale timestamps and unknown routes the way OVH does", async () => {
    expect(await ovh("GET", "/auth/details", undefined, { "X-Ovh-Signature": "$1$deadbeef" })).toMatchObject({
      status: 400,
      body: { errorCode: "INVALID_SIGNATURE" },
    });
    expect(await ovhClient(emu.endpoint, DEFAULT_CREDENTIALS, -3600)("GET", "/auth/details")).toMatchObject({
      status: 400,
      body: { errorCode: "QUERY_TIME_OUT" },
    });
    expect(await ovh("GET", "/no/such/route")).toMatchObject({
      status: 404,
      body: { class: "Client::NotFound", message: "Got an invalid (or empty) URL" },
    });
    expect(await ovh("GET", "/cloud/project/not-a-project/kube/x")).toMatchObject({
      status: 404,
      body: { message: "This service does not exist" },
    });
  });

  it("builds a private network with an echoing subnet, and refuses a duplicate VLAN", async () => {
    const net = await ovh("POST", `${P}/network/private`, {
      serviceName: SN,
      vlanId: 7,
      name: "net",
      regions: ["GRA11"],
    });
    expect(net.body).toMatchObject({
      id: "pn-1000001_7",
      vlanId: 7,
      name: "net",
      status: "ACTIVE",
      type: "private",
      regions: [{ region: "GRA11", status: "ACTIVE" }],
    });
    const id = (net.body as { id: string }).id;
    expect(
      (await ovh("POST", `${P}/network/private`, { serviceName: SN, vlanId: 7, name: "dup", regions: [] }))
        .status,
    ).toBe(409);
    await ovh("POST", `${P}/network/private/${id}/subnet`, {
      serviceName: SN,
      networkId: id,
      dhcp: true,
      noGateway: false,
      start: "10.0.0.2",
      end: "10.0.0.254",
      network: "10.0.0.0/24",
      region: "GRA11",
    });
    const subnets = (await ovh("GET", `${P}/network/private/${id}/subnet`)).body as {
      ipPools: unknown[];
      gatewayIp: string;
    }[];
    expect(subnets).toHaveLength(1);
    expect(subnets[0]).toMatchObject({
      gatewayIp: "10.0.0.1",
      ipPools: [
        { network: "10.0.0.0/24", region: "GRA11", dhcp: true, start: "10.0.0.2", end: "10.0.0.254" },
      ],
    });
    expect((await ovh("POST", `${P}/network/private/${id}/region`, { region: "GRA11" })).body).toMatchObject({
      message: "Region GRA11 already activated",
    });
  });

  it("creates instances through operations, with addresses from the subnet, and flavors by region", async () => {
    const net = (
      await ovh("POST", `${P}/network/private`, { serviceName: SN, vlanId: 0, name: "n", regions: ["GRA11"] })
    ).body as { id: string; regions: { openstackId: string }[] };
    const subnet = (
      await ovh("POST", `${P}/network/private/${net.id}/subnet`, {
        serviceName: SN,
        networkId: net.id,
        dhcp: true,
        noGateway: false,
        start: "10.1.0.2",
        end: "10.1.0.254",
        network: "10.1.0.0/24",
        region: "GRA11",
      })
    ).body as { id: string };
    const flavors = (await ovh("GET", `${P}/flavor?region=GRA11`)).body as { id: string; name: string }[];
    const b38 = flavors.find((f) => f.name === "b3-8") as { id: string };
    const op = (
      await ovh("POST", `${P}/region/GRA11/instance`, {
        billingPeriod: "hourly",
        bootFrom: { imageId: "img" },
        bulk: 0,
        flavor: { id: b38.id },
        name: "web-1",
        network: {
          public: true,
          private: { network: { id: net.regions[0].openstackId, subnetId: subnet.id } },
        },
      })
    ).body as { id: string };
    const done = (await ovh("GET", `${P}/operation/${op.id}`)).body as {
      status: string;
      resourceId: string;
      regions: string[];
    };
    expect(done).toMatchObject({ status: "completed", regions: ["GRA11"] });
    const instance = (await ovh("GET", `${P}/region/GRA11/instance/${done.resourceId}`)).body as {
      status: string;
      region: string;
      flavorName: string;
      addresses: { ip: string; version: number }[];
    };
    expect(instance).toMatchObject({ status: "ACTIVE", region: "GRA11", flavorName: "b3-8" });
    expect(instance.addresses[0]).toEqual({ ip: "10.1.0.3", version: 4 });
    expect(instance.addresses[1].ip).toMatch(/^51\.77\./);
    expect((await ovh("DELETE", `${P}/instance/${done.resourceId}`)).status).toBe(200);
    expect((await ovh("GET", `${P}/region/GRA11/instance/${done.resourceId}`)).status).toBe(404);
  });

  it("serves the volume routes the provider uses, with attachment recorded on both sides (issue 11)", async () => {
    const flavors = (await ovh("GET", `${P}/flavor?region=GRA11`)).body as { id: string; name: string }[];
    const flavor = { id: (flavors.find((f) => f.name === "b3-8") as { id: string }).id };
    const newInstance = async (name: string) => {
      const op = (
        await ovh("POST", `${P}/region/GRA11/instance`, {
          name,
          flavor,
          bootFrom: { imageId: "img" },
          network: { public: true },
        })
      ).body as { id: string };
      return ((await ovh("GET", `${P}/operation/${op.id}`)).body as { resourceId: string }).resourceId;
    };
    const newVolume = async (body: Record<string, unknown>) => {
      const op = (await ovh("POST", `${P}/region/GRA11/volume`, body)).body as { id: string };
      return ((await ovh("GET", `${P}/operation/${op.id}`)).body as { resourceId: string }).resourceId;
    };
    const vm = await newInstance("vm-1");
    const attached = await newVolume({ name: "data", size: 10, type: "classic", instanceId: vm });
    expect((await ovh("GET", `${P}/region/GRA11/volume/${attached}`)).body).toMatchObject({
      status: "in-use",
      attachedTo: [vm],
      size: 10,
    });
    expect((await ovh("GET", `${P}/region/GRA11/instance/${vm}`)).body).toMatchObject({
      attachedVolumes: [{ id: attached }],
    });
    expect((await ovh("PUT", `${P}/volume/${attached}`, { name: "data2", description: "d" })).status).toBe(
      200,
    );
    expect((await ovh("POST", `${P}/volume/${attached}/upsize`, { size: 30 })).body).toMatchObject({
      name: "data2",
      description: "d",
      size: 30,
    });
    expect((await ovh("POST", `${P}/volume/${attached}/upsize`, { size: 20 })).status).toBe(400);
    // The provider deletes an attached volume without detaching it first: OVH detaches it.
    expect((await ovh("DELETE", `${P}/volume/${attached}`)).status).toBe(200);
    expect((await ovh("GET", `${P}/region/GRA11/volume/${attached}`)).status).toBe(404);
    expect((await ovh("GET", `${P}/region/GRA11/instance/${vm}`)).body).toMatchObject({
      attachedVolumes: [],
    });
    expect((await ovh("DELETE", `${P}/volume/${attached}`)).status).toBe(404);

    // attach and detach routes, and a deleted instance leaves its volumes available
    const loose = await newVolume({ name: "loose", size: 5 });
    expect((await ovh("POST", `${P}/volume/${loose}/attach`, { instanceId: vm })).body).toMatchObject({
      status: "in-use",
      attachedTo: [vm],
    });
    expect((await ovh("POST", `${P}/volume/${loose}/attach`, { instanceId: vm })).status).toBe(400);
    expect((await ovh("POST", `${P}/volume/${loose}/detach`, { instanceId: vm })).body).toMatchObject({
      status: "available",
      attachedTo: [],
    });
    await ovh("POST", `${P}/volume/${loose}/attach`, { instanceId: vm });
    expect((await ovh("DELETE", `${P}/instance/${vm}`)).status).toBe(200);
    expect((await ovh("GET", `${P}/region/GRA11/volume/${loose}`)).body).toMatchObject({
      status: "available",
      attachedTo: [],
    });
    // An attachment to a missing instance creates nothing.
    const before = emu.store.all("volume").length;
    expect((await ovh("POST", `${P}/region/GRA11/volume`, { size: 5, instanceId: vm })).status).toBe(404);
    expect(emu.store.all("volume")).toHaveLength(before);
  });

  it("shows asynchronous statuses at the configured speed", async () => {
    await emu.close();
    emu = await startEmulator({ delayMs: 400 });
    ovh = ovhClient(emu.endpoint, DEFAULT_CREDENTIALS);
    const kube = (
      await ovh("POST", `${P}/kube`, { region: "GRA11", name: "k", version: "1.32", customization: {} })
    ).body as { id: string; status: string };
    expect(kube.status).toBe("INSTALLING");
    await new Promise((r) => setTimeout(r, 500));
    expect((await ovh("GET", `${P}/kube/${kube.id}`)).body).toMatchObject({
      status: "READY",
      version: "1.32.4-1",
    });
    const config = (await ovh("POST", `${P}/kube/${kube.id}/kubeconfig`)).body as { content: string };
    expect(config.content).toMatch(/certificate-authority-data: \S+/);
    await ovh("DELETE", `${P}/kube/${kube.id}`);
    expect((await ovh("GET", `${P}/kube/${kube.id}`)).body).toMatchObject({ status: "DELETING" });
    await new Promise((r) => setTimeout(r, 500));
    expect((await ovh("GET", `${P}/kube/${kube.id}`)).status).toBe(404);
  });

  it("gives database user passwords only at creation, and lists nodes", async () => {
    const db = (
      await ovh("POST", `${P}/database/postgresql`, {
        plan: "essential",
        version: "16",
        nodesPattern: { flavor: "db1-4", number: 1, region: "GRA" },
        disk: {},
        ipRestrictions: [{ ip: "10.0.0.5/32", description: "web" }],
      })
    ).body as { id: string; ipRestrictions: unknown[] };
    expect(db.ipRestrictions).toEqual([{ ip: "10.0.0.5/32", description: "web", status: "READY" }]);
    expect(((await ovh("GET", `${P}/database/postgresql/${db.id}/node`)).body as string[]).length).toBe(1);
    const user = (await ovh("POST", `${P}/database/postgresql/${db.id}/user`, { name: "app", roles: [] }))
      .body as { id: string; password: string; username: string };
    expect(user.username).toBe("app");
    expect(user.password.length).toBeGreaterThan(10);
    expect((await ovh("GET", `${P}/database/postgresql/${db.id}/user/${user.id}`)).body).not.toHaveProperty(
      "password",
    );
    expect((await ovh("POST", `${P}/database/postgresql/${db.id}/user`, { name: "app" })).status).toBe(409);
  });

  it("records a cluster's plan, private routing and pool zone, and a database's backup time and regions (issue 13)", async () => {
    const kube = await ovh("POST", `${P}/kube`, {
      region: "EU-WEST-PAR",
      version: "1.32",
      plan: "standard",
      privateNetworkId: "net-uuid",
      privateNetworkConfiguration: { defaultVrackGateway: "", privateNetworkRoutingAsDefault: true },
      customization: {},
    });
    const k = kube.body as { id: string };
    expect((await ovh("GET", `${P}/kube/${k.id}`)).body).toMatchObject({
      plan: "standard",
      privateNetworkConfiguration: { defaultVrackGateway: "", privateNetworkRoutingAsDefault: true },
    });
    const pool = (flavor: string, zones: string[]) =>
      ovh("POST", `${P}/kube/${k.id}/nodepool`, {
        name: `p-${zones.join("") || "none"}`,
        flavorName: flavor,
        autoscale: false,
        antiAffinity: false,
        monthlyBilled: false,
        desiredNodes: 1,
        availabilityZones: zones,
      });
    const zoned = await pool("b3-8", ["eu-west-par-b"]);
    expect(zoned.status).toBe(200);
    expect((zoned.body as { availabilityZones: string[] }).availabilityZones).toEqual(["eu-west-par-b"]);
    expect((await pool("b3-8", [])).status).toBe(400);
    expect((await pool("b3-8", ["eu-west-par-z"])).status).toBe(400);
    expect((await ovh("POST", `${P}/kube`, { region: "GRA11", plan: "premium" })).status).toBe(400);
    expect(
      (
        await ovh("POST", `${P}/kube`, {
          region: "GRA11",
          privateNetworkConfiguration: { defaultVrackGateway: "", privateNetworkRoutingAsDefault: true },
        })
      ).status,
    ).toBe(400);

    const database = (backups: object) =>
      ovh("POST", `${P}/database/postgresql`, {
        plan: "business",
        version: "16",
        nodesPattern: { flavor: "db1-4", number: 2, region: "GRA" },
        disk: {},
        backups,
      });
    const db = await database({ time: "02:30:00", regions: ["GRA", "SBG"] });
    expect((db.body as { backups: unknown }).backups).toEqual({ time: "02:30:00", regions: ["GRA", "SBG"] });
    expect((await database({ regions: ["SBG"] })).status).toBe(400);
    expect((await database({ time: "2:30" })).status).toBe(400);
  });

  it("echoes buckets and quotes TXT records in seeded zones only", async () => {
    const bucket = (
      await ovh("POST", `${P}/region/GRA/storage`, {
        name: "acme-assets",
        versioning: { status: "enabled" },
        tags: { team: "web" },
      })
    ).body;
    expect(bucket).toMatchObject({
      name: "acme-assets",
      region: "GRA",
      versioning: { status: "enabled" },
      tags: { team: "web" },
      encryption: { sseAlgorithm: "plaintext" },
      objects: [],
    });
    expect((await ovh("GET", `${P}/region/GRA/storage/acme-assets`)).status).toBe(200);
    const txt = (
      await ovh("POST", "/domain/zone/acme.example/record", {
        target: "v=spf1 -all",
        ttl: 300,
        fieldType: "TXT",
      })
    ).body as { id: number; target: string; subDomain: string; zone: string };
    expect(txt).toMatchObject({ target: '"v=spf1 -all"', subDomain: "", zone: "acme.example" });
    expect(Number.isInteger(txt.id)).toBe(true);
    expect(
      (
        await ovh("POST", "/domain/zone/other.example/record", {
          target: "1.2.3.4",
          ttl: 300,
          fieldType: "A",
        })
      ).status,
    ).toBe(404);
  });

  it("keeps a round-robin: two A records with one subdomain, each its own record (issue 13)", async () => {
    const post = (target: string) =>
      ovh("POST", "/domain/zone/acme.example/record", { target, ttl: 300, fieldType: "A", subDomain: "www" });
    const a = (await post("192.0.2.10")).body as { id: number };
    const b = (await post("192.0.2.11")).body as { id: number };
    expect(a.id).not.toBe(b.id);
    for (const [r, target] of [
      [a, "192.0.2.10"],
      [b, "192.0.2.11"],
    ] as const)
      expect((await ovh("GET", `/domain/zone/acme.example/record/${r.id}`)).body).toMatchObject({
        subDomain: "www",
        fieldType: "A",
        target,
      });
  });

  it("keeps its state on disk across restarts, and empties it on reset", async () => {
    await ovh("POST", `${P}/sshkey`, { name: "runteam", publicKey: "ssh-ed25519 AAAA test" });
    await emu.close();
    emu = await startEmulator({ stateFile: path.join(dir, "state.json") });
    const state = (await fetch(`http://127.0.0.1:${emu.port}/_emulator/state`).then((r) => r.json())) as {
      kind: string;
    }[];
    expect(state.map((o) => o.kind)).toEqual(["sshkey"]);
    await fetch(`http://127.0.0.1:${emu.port}/_emulator/reset`, { method: "POST" });
    expect(await fetch(`http://127.0.0.1:${emu.port}/_emulator/state`).then((r) => r.json())).toEqual([]);
  });

  it("injects faults: 5xx, 429 with Retry-After, failed tasks, and applied-but-lost responses", async () => {
    emu.faults.set({
      seed: 7,
      rules: [{ route: "POST .*/sshkey$", rateLimitRate: 1, retryAfterSeconds: 3 }],
    });
    const limited = await ovh("POST", `${P}/sshkey`, { name: "k", publicKey: "ssh-ed25519 AAAA" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    emu.faults.set({ rules: [{ errorRate: 1 }] });
    expect((await ovh("GET", `${P}/kube/x`)).status).toBe(500);
    emu.faults.set({ rules: [{ route: "POST .*/network/private$", lostResponseRate: 1 }] });
    expect(
      (await ovh("POST", `${P}/network/private`, { serviceName: SN, vlanId: 9, name: "lost", regions: [] }))
        .status,
    ).toBe(502);
    emu.faults.set({ rules: [] });
    expect(emu.store.all("network").map((n) => n.name)).toEqual(["lost"]); // applied although the answer was lost
    emu.faults.set({ rules: [{ route: "POST .*/kube$", taskFailureRate: 1 }] });
    const kube = (await ovh("POST", `${P}/kube`, { region: "GRA11", name: "k" })).body as {
      id: string;
      status: string;
    };
    expect(kube.status).toBe("ERROR");
  });

  it("works with the real OVH Go client (go-ovh): signing, time delta, typed JSON, APIError", async () => {
    const bin = path.join(dir, "emulator-client");
    // Asynchronously: the emulator serves from this very process, so blocking it would deadlock the client.
    await execFileAsync("go", ["build", "-o", bin, "."], {
      cwd: path.join(PROJECT_ROOT, "tests", "emulator-client"),
      env: { ...process.env, GOFLAGS: "-mod=readonly", GOPROXY: "off" },
    });
    const out = JSON.parse((await execFileAsync(bin, [emu.endpoint, SN], { encoding: "utf8" })).stdout);
    expect(out).toMatchObject({
      account: "xx1234-ovh",
      network: { name: "go-ovh-net", vlanId: 42, status: "ACTIVE" },
      userIdIsInteger: true,
      s3AccessLength: 32,
      notFound: { code: 404, class: "Client::NotFound" },
    });
  });
});
