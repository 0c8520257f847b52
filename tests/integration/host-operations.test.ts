/**
 * The operations baseline on SSH-reached hosts, observed where it runs: log forwarding over real TLS to a
 * receiver on loopback (certificates from a test CA made here), through the real `majordome` command, the
 * real engine and a real test host; and the handover report written from what the host shows.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";
import { startTestHost, type TestHost } from "../../tools/testhost/testHost";
import { sandbox, type Sandbox } from "../helpers/cliSandbox";
import { hostEnvironment } from "../helpers/hostEnvironments";

jest.setTimeout(15 * 60 * 1000);

/** The log receiver's name, as the host resolves it (its /etc/hosts, like a real host's DNS). */
const RECEIVER_NAME = "logs.acme.test";

/** A test CA and a server certificate for `name`, made with the openssl command line. */
function testCertificates(dir: string, name: string): { ca: string; key: string; cert: string } {
  const at = (f: string) => path.join(dir, f);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  openssl(
    ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Majordome test CA"],
    ...["-keyout", at("ca.key"), "-out", at("ca.pem"), "-addext", "basicConstraints=critical,CA:TRUE"],
    ...["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
  );
  openssl(
    ...["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${name}`],
    ...["-keyout", at("server.key"), "-out", at("server.csr")],
  );
  fs.writeFileSync(
    at("server.ext"),
    `subjectAltName=DNS:${name}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n`,
  );
  openssl(
    ...["x509", "-req", "-in", at("server.csr"), "-CA", at("ca.pem"), "-CAkey", at("ca.key")],
    ...["-CAcreateserial", "-days", "2", "-extfile", at("server.ext"), "-out", at("server.pem")],
  );
  const read = (f: string) => fs.readFileSync(at(f), "utf8");
  return { ca: read("ca.pem"), key: read("server.key"), cert: read("server.pem") };
}

/**
 * A syslog receiver on loopback: a TLS server behind a plain TCP relay. The relay records every byte that
 * crosses the wire (what a plain-TCP receiver would get); the TLS server records what it decrypted.
 */
interface Receiver {
  readonly port: number;
  /** Bytes as sent on the wire, per connection. */
  readonly wire: Buffer[];
  /** Decrypted text received over TLS. */
  decrypted(): string;
  /** TLS versions negotiated. */
  readonly protocols: string[];
  close(): Promise<void>;
}

async function startReceiver(certs: { key: string; cert: string }): Promise<Receiver> {
  let text = "";
  const protocols: string[] = [];
  const wire: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const tlsServer = tls.createServer({ key: certs.key, cert: certs.cert }, (socket) => {
    protocols.push(String(socket.getProtocol()));
    socket.on("data", (d: Buffer) => (text += d.toString("utf8")));
    socket.on("error", () => undefined);
  });
  await new Promise<void>((r) => tlsServer.listen(0, "127.0.0.1", r));
  const tlsPort = (tlsServer.address() as net.AddressInfo).port;
  const relay = net.createServer((client) => {
    const index = wire.push(Buffer.alloc(0)) - 1;
    const upstream = net.connect(tlsPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => undefined);
    }
    client.on("data", (d: Buffer) => {
      wire[index] = Buffer.concat([wire[index], d]);
      upstream.write(d);
    });
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
  return {
    port: (relay.address() as net.AddressInfo).port,
    wire,
    protocols,
    decrypted: () => text,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([relay, tlsServer].map((s) => new Promise((r) => s.close(r))));
    },
  };
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("log forwarding over TLS to a receiver on loopback", () => {
  let host: TestHost;
  let receiver: Receiver;
  let certs: { ca: string; key: string; cert: string };
  let work: string;
  let box: Sandbox;
  let agentPort: number;
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-tls-"));
    certs = testCertificates(work, RECEIVER_NAME);
    receiver = await startReceiver(certs);
    host = await startTestHost("logs");
    host.exec(`echo '127.0.0.1 ${RECEIVER_NAME}' >> /etc/hosts`);
    // Test hosts share the machine's network: each host's agent listens on a loopback port of its own
    // (tools/testhost), never 9100 — the report must show that port, read from the agent's own socket.
    agentPort = host.agentPort;
  });
  afterAll(async () => {
    await host?.stop();
    await receiver?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** Delivers acme/logs forwarding to `tls://logs.acme.test:<port>` with the test CA. */
  async function deliverTo(box: Sandbox, port: number) {
    const ca = certs.ca
      .trim()
      .split("\n")
      .map((l) => `      ${l}`)
      .join("\n");
    box.write(
      "logs",
      `${hostEnvironment("logs", host.port)}operations:\n  logForwarding:\n    enabled: true\n    destination: tls://${RECEIVER_NAME}:${port}\n    caCertificate: |\n${ca}\n`,
    );
    return box.run("deliver", "acme/logs");
  }

  it("rsyslog sends the host's log lines over TLS, checked against the blueprint's CA, never in clear", async () => {
    box = sandbox(host.privateKey);
    const delivered = await deliverTo(box, receiver.port);
    expect([delivered.exitCode, delivered.exitCode === 0 ? "" : delivered.stderr]).toEqual([0, ""]);
    // What the delivery put on the host: the CA and a TLS-only forwarding action to the named receiver.
    expect(host.readFile("/etc/majordome/log-ca.pem")).toBe(`${certs.ca.trim()}\n`);
    const conf = host.readFile("/etc/rsyslog.d/90-majordome.conf") ?? "";
    expect(conf).toContain('StreamDriverMode="1"');
    expect(conf).toContain(`StreamDriverPermittedPeers="${RECEIVER_NAME}"`);
    expect(conf).not.toMatch(/@@/);

    const marker = `majordome-tls-${process.pid}-${Date.now()}`;
    host.exec(`logger -t majordome-test ${marker}`);
    await waitFor("the log line at the TLS receiver", () => receiver.decrypted().includes(marker));
    expect(receiver.decrypted()).toMatch(new RegExp(`majordome-test(\\[\\d+\\])?: ${marker}`));
    expect(receiver.protocols.length).toBeGreaterThan(0);
    expect(receiver.protocols.every((p) => /^TLSv1\.[23]$/.test(p))).toBe(true);
    // On the wire (what a plain-TCP receiver gets): TLS records only — each connection opens with a TLS
    // handshake record (0x16), and the line itself never crosses in clear.
    expect(receiver.wire.length).toBeGreaterThan(0);
    for (const bytes of receiver.wire) expect(bytes[0]).toBe(0x16);
    expect(Buffer.concat(receiver.wire).includes(marker)).toBe(false);
  });
  /** The report's rows for host `origin`, by item (JSON), and its Markdown. */
  function reportOf(box: Sandbox) {
    const report = box.report("logs");
    expect(report).toBeDefined();
    const json = report!.json as {
      result: string;
      operations: { hosts: { host: string; item: string; observed: string; confirmed: boolean }[] };
    };
    return {
      json,
      markdown: report!.markdown,
      row: (item: string) => json.operations.hosts.find((r) => r.host === "origin" && r.item === item)!,
    };
  }

  it("the report's Operations section shows what the host really has, and after tampering and deliver, the repaired state", async () => {
    box ??= sandbox(host.privateKey);
    const delivered = await deliverTo(box, receiver.port);
    expect([delivered.exitCode, delivered.exitCode === 0 ? "" : delivered.stderr]).toEqual([0, ""]);
    const first = reportOf(box);
    expect(first.json.result).toBe("succeeded");
    // Each row is what the host showed: the timer as written (its schedule, the window from its description),
    // the agent's own listening socket, the rsyslog drop-in read back (TLS only, the name checked, the CA).
    expect(first.row("security updates")).toMatchObject({ confirmed: true });
    expect(first.row("security updates").observed).toMatch(
      /^automatic in sun 02:00-04:00; timer enabled \(OnCalendar Sun \*-\*-\* 02:00:00, random delay up to 30 min\); next start \d{4}-\d{2}-\d{2} 02:00 \S+; .*unattended-upgrades installed$/,
    );
    expect(first.row("monitoring agent")).toEqual({
      host: "origin",
      item: "monitoring agent",
      asked: "on",
      observed: `node exporter running, listening on 127.0.0.1:${agentPort}`,
      confirmed: true,
    });
    const caHash = execFileSync("sha256sum", { input: `${certs.ca.trim()}\n` })
      .toString()
      .slice(0, 12);
    expect(first.row("log forwarding")).toMatchObject({
      observed: `tls to ${RECEIVER_NAME}:${receiver.port} (TLS only, peer checked x509/name ${RECEIVER_NAME}, CA /etc/majordome/log-ca.pem (sha256 ${caHash}…)); rsyslog running`,
      confirmed: true,
    });
    expect(first.markdown).toContain("### Hosts: what each host showed");
    expect(first.markdown).toContain(
      `| origin | monitoring agent | on | node exporter running, listening on 127.0.0.1:${agentPort} |`,
    );

    // Behind Majordome's back: the agent stopped, the update timer removed.
    host.exec(
      "/etc/init.d/prometheus-node-exporter stop >/dev/null; rm -f /etc/systemd/system/majordome-updates.timer /etc/systemd/system/timers.target.wants/majordome-updates.timer",
    );
    const drift = await box.run("drift", "acme/logs", "--json");
    expect(drift.exitCode).toBe(3);
    expect(JSON.parse(drift.stdout).results[0].drift.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          step: "operations",
          item: "service prometheus-node-exporter",
          expected: "running",
          found: "stopped",
        }),
        expect.objectContaining({ step: "operations", item: "updates timer", found: "missing" }),
      ]),
    );
    // What the operations step observes is shown beside the findings, with the value it recorded.
    expect(JSON.parse(drift.stdout).results[0].drift.notes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          item: "monitoring agent (observed)",
          value: "not running, recorded running",
        }),
        expect.objectContaining({ item: "update timer (observed)", value: "missing, recorded present" }),
      ]),
    );

    const repaired = await box.run("deliver", "acme/logs");
    expect([repaired.exitCode, repaired.exitCode === 0 ? "" : repaired.stderr]).toEqual([0, ""]);
    const after = reportOf(box);
    expect(after.row("monitoring agent")).toMatchObject({
      observed: `node exporter running, listening on 127.0.0.1:${agentPort}`,
      confirmed: true,
    });
    expect(after.row("security updates")).toMatchObject({ confirmed: true });
    expect(after.row("security updates").observed).toContain("timer enabled (OnCalendar Sun *-*-* 02:00:00");
    // The report's facts are the host's: the repair is there to see.
    expect(host.readFile("/etc/systemd/system/majordome-updates.timer")).toContain(
      "OnCalendar=Sun *-*-* 02:00:00",
    );
    expect((await box.run("drift", "acme/logs")).exitCode).toBe(0);
  });
});
