/**
 * RemoteStep: one build step run over SSH on a host, as a Pulumi dynamic resource.
 *
 * Why a dynamic provider and not `@pulumi/command`: the command provider is a Go plugin that the Go module
 * proxy available to this project does not serve, so it cannot be built here; the Node.js dynamic provider
 * runs inside the engine with no plugin to install. The contract is the same as `command.remote.Command`
 * with `update` set to the create script: the create script runs on create and whenever it changes (in
 * place), the delete script runs when the step is removed, and changing the host replaces the step.
 *
 * After applying, a step with a check runs it on the host and stores what the host printed (`fingerprint`), and
 * what its observation script saw (`observed`): state records what the host showed, never what was expected. A
 * step whose check differs from what it expects right after applying fails, naming each item with expected and
 * found: a step that ran but does not hold has not succeeded.
 *
 * The connection (with the private key) is an input marked secret and kept as a secret output, so the key is
 * encrypted in state and never printed; the step stores no output of its build script, only its check's
 * `item: value` lines and observations (facts such as a timer's schedule, never secret values).
 */
import * as pulumi from "@pulumi/pulumi";

/** How to reach a host. */
export interface SshConnection {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly privateKey: string;
  /**
   * The host key the server must show: an OpenSSH public key line or a `SHA256:` fingerprint. A server
   * showing another key is refused before anything is sent. @default any (trust on first use is the
   * caller's: see {@link HostGroup})
   */
  readonly hostKey?: string;
}

/** Inputs of a {@link RemoteStep}. */
export interface RemoteStepArgs {
  /** Host label for messages (the blueprint's host name). */
  readonly hostName: pulumi.Input<string>;
  /** Step label for messages. */
  readonly stepName: pulumi.Input<string>;
  readonly connection: pulumi.Input<{
    host: pulumi.Input<string>;
    port: pulumi.Input<number>;
    user: pulumi.Input<string>;
    privateKey: pulumi.Input<string>;
    hostKey?: pulumi.Input<string | undefined>;
  }>;
  /** Record the host key fingerprint the server shows (output `hostKeyFingerprint`), on create and refresh. */
  readonly recordHostKey?: boolean;
  /** Script run on create and whenever it changes. */
  readonly create: pulumi.Input<string>;
  /** Script run when the step is removed. @default nothing */
  readonly delete?: pulumi.Input<string>;
  /**
   * Script that prints a fingerprint of what the step put in place (e.g. a file's hash), run on refresh to
   * find drift; `expected` is the fingerprint a correct host shows. @default no drift detection
   */
  readonly verify?: pulumi.Input<{ script: pulumi.Input<string>; expected: pulumi.Input<string> }>;
  /**
   * Script that prints facts about what the step put in place, one `item: value` line each (e.g. a timer's
   * schedule, the port an agent listens on), run after every apply and on refresh; stored as output
   * `observed` for reports, never compared. Its values must be stable while nothing changes on the host (no
   * pid, no clock): refresh counts any changed output as drift. @default no observation
   */
  readonly observe?: pulumi.Input<string>;
}

interface StepProps {
  hostName: string;
  stepName: string;
  connection: SshConnection;
  create: string;
  delete?: string;
  verify?: { script: string; expected: string };
  observe?: string;
  /** What the host's check printed at the last create, update or refresh. */
  fingerprint?: string;
  /** What the observation script printed at the last create, update or refresh, item by item. */
  observed?: Record<string, string>;
  recordHostKey?: boolean;
  /** The SHA256 fingerprint of the host key seen at the last create, update or refresh (connect step). */
  hostKeyFingerprint?: string;
}

/**
 * The file name under MAJORDOME_HOST_KEYS_DIR that holds the current private key for `user@host:port`.
 * Also computed inside the serialized provider (keep the two in step: see {@link runRemoteScript}).
 */
export function keyFileName(user: string, host: string, port: number): string {
  return `${user}@${host}:${port}`.replace(/[^A-Za-z0-9@:._-]/g, "_");
}

/**
 * Runs `script` with `sh -s` on the host (through `sudo -n` for non-root users) and resolves with its
 * standard output; rejects with a message naming the host, the step and the cause.
 */
export function runRemoteScript(
  props: Pick<StepProps, "hostName" | "stepName" | "connection">,
  script: string,
  onHostKey?: (fingerprint: string) => void,
): Promise<string> {
  // Required here, not at module level: this function is serialized into the dynamic provider.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require("ssh2") as typeof import("ssh2");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require("crypto") as typeof import("crypto");
  const fingerprintOf = (blob: Buffer) =>
    `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
  let pinned = props.connection.hostKey?.trim();
  let seen: string | undefined;
  const { host, port, user } = props.connection;
  // The operation's current key wins over the one in the inputs or state: refresh and delete run with the
  // state of the last update, so a rotated key would otherwise lock the environment out. The delivery CLI
  // writes the stack config's keys to a private folder for each operation (scripts/delivery/credentials.ts).
  let privateKey = props.connection.privateKey;
  const keysDir = process.env.MAJORDOME_HOST_KEYS_DIR;
  if (keysDir) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require("fs") as typeof import("fs");
    const file = `${keysDir}/${`${user}@${host}:${port}`.replace(/[^A-Za-z0-9@:._-]/g, "_")}`;
    if (fs.existsSync(file)) privateKey = fs.readFileSync(file, "utf8");
    // Likewise the pinned host key: refresh then checks it too, though the state predates the pin.
    if (fs.existsSync(`${file}.hostkey`)) pinned = fs.readFileSync(`${file}.hostkey`, "utf8").trim();
  }
  const expected = !pinned
    ? undefined
    : pinned.startsWith("SHA256:")
      ? pinned
      : fingerprintOf(Buffer.from(pinned.split(/\s+/)[1] ?? "", "base64"));
  const where = `host "${props.hostName}" (${user}@${host}:${port})`;
  const explain = (e: Error & { code?: string; level?: string }): string => {
    if (expected && seen && seen !== expected)
      return `${where}: HOST KEY MISMATCH, connection refused: the server shows ${seen} but ${props.hostName} is pinned to ${expected}. Someone may be impersonating the host, or it was reinstalled; if the new key is right, accept it with \`majordome hosts trust <client>/<environment> ${props.hostName}\``;
    if (e.code === "ECONNREFUSED")
      return `${where}: connection refused (is sshd running and the port right?)`;
    if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN") return `${where}: unknown host (DNS lookup failed)`;
    if (e.code === "EHOSTUNREACH" || e.code === "ENETUNREACH") return `${where}: host unreachable`;
    if (e.level === "client-authentication")
      return `${where}: authentication failed for user "${user}" (wrong key?)`;
    if (e.level === "client-timeout" || /Timed out/i.test(e.message))
      return `${where}: timed out while connecting`;
    return `${where}: ${e.message}`;
  };
  return new Promise((resolve, reject) => {
    const client = new Client();
    let settled = false;
    const done = (err?: string, out?: string) => {
      if (settled) return;
      settled = true;
      client.end();
      if (err) reject(new Error(err));
      else resolve(out ?? "");
    };
    client.on("error", (e) => done(explain(e)));
    client.on("ready", () => {
      client.exec(user === "root" ? "sh -s" : "sudo -n sh -s", (err, stream) => {
        if (err) return done(explain(err));
        let stdout = "";
        let stderr = "";
        stream.on("data", (d: Buffer) => (stdout += d.toString()));
        stream.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        stream.on("close", (code: number | null) => {
          if (code === 0) done(undefined, stdout);
          else
            done(
              `${where}: step "${props.stepName}" failed with exit code ${code}${stderr.trim() ? `:\n${stderr.trim().split("\n").slice(-15).join("\n")}` : ""}`,
            );
        });
        stream.end(script);
      });
    });
    try {
      client.connect({
        host,
        port,
        username: user,
        privateKey,
        readyTimeout: 15000,
        // Checked before authentication: an impostor never gets a signature, a script or a file.
        hostVerifier: (key: Buffer) => {
          seen = fingerprintOf(key);
          onHostKey?.(seen);
          return expected === undefined || seen === expected;
        },
      });
    } catch (e) {
      done(explain(e as Error));
    }
  });
}

/**
 * A check line whose item name ends with this is a fact the host reports (e.g. pending security updates): shown
 * by drift as a note, never compared.
 */
export const INFO_SUFFIX = " (info)";

/** Parses `item: value` lines into pairs (a line without `: ` is kept whole as its own item). */
export function checkItems(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (!line) continue;
    const at = line.lastIndexOf(": ");
    if (at < 0) out.set(line, line);
    else out.set(line.slice(0, at), line.slice(at + 2));
  }
  return out;
}

/**
 * Each item a check printed differently from what a correct host prints (items ending with
 * {@link INFO_SUFFIX} are facts, never compared); empty when the host holds what the step promises.
 */
export function checkDifferences(
  expected: string,
  found: string,
): { item: string; expected: string; found: string }[] {
  const want = checkItems(expected);
  const got = checkItems(found);
  for (const item of [...got.keys()]) if (item.endsWith(INFO_SUFFIX)) got.delete(item);
  const out: { item: string; expected: string; found: string }[] = [];
  for (const [item, value] of want) {
    const seen = got.get(item) ?? "(not reported)";
    if (seen !== value) out.push({ item, expected: value, found: seen });
  }
  for (const [item, value] of got)
    if (!want.has(item)) out.push({ item, expected: "(nothing)", found: value });
  return out;
}

/**
 * Runs a step's check and observation on the host in one script: the check's output (trimmed) and the
 * observation's `item: value` lines. Nothing to run gives nothing.
 */
export async function inspectHost(
  props: Pick<StepProps, "hostName" | "stepName" | "connection" | "verify" | "observe">,
): Promise<{ fingerprint?: string; observed?: Record<string, string> }> {
  if (!props.verify && !props.observe) return {};
  const marker = "--- majordome: observed ---";
  const out = await runRemoteScript(
    props,
    [props.verify?.script ?? "true", `echo '${marker}'`, props.observe ?? "true"].join("\n"),
  );
  const at = out.lastIndexOf(`${marker}\n`);
  const check = at < 0 ? out : out.slice(0, at);
  const seen = at < 0 ? "" : out.slice(at + marker.length + 1);
  const observed: Record<string, string> = {};
  for (const line of seen.split("\n").map((l) => l.trim())) {
    const i = line.indexOf(": ");
    if (i > 0) observed[line.slice(0, i)] = line.slice(i + 2);
  }
  return {
    ...(props.verify ? { fingerprint: check.trim() } : {}),
    ...(props.observe ? { observed } : {}),
  };
}

/** How long a step's check may take to hold after applying: looks, and the pause between them. */
export const SETTLE = { attempts: 10, delayMs: 2000 };

/**
 * Runs the step's build script, then its check and observation; fails when the check differs from what it
 * expects, naming each item with expected and found.
 */
export async function applyStep(
  props: StepProps,
  onHostKey?: (fingerprint: string) => void,
): Promise<{ fingerprint?: string; observed?: Record<string, string> }> {
  await runRemoteScript(props, props.create, onHostKey);
  let seen = await inspectHost(props);
  const differs = () =>
    props.verify !== undefined &&
    seen.fingerprint !== undefined &&
    checkDifferences(props.verify.expected, seen.fingerprint).length > 0;
  // A service just (re)started can take a moment to show running or listening on a loaded host: look again
  // for a while before calling the step failed.
  for (let attempt = 1; attempt < SETTLE.attempts && differs(); attempt++) {
    await new Promise((r) => setTimeout(r, SETTLE.delayMs));
    seen = await inspectHost(props);
  }
  if (props.verify && seen.fingerprint !== undefined) {
    const differences = checkDifferences(props.verify.expected, seen.fingerprint);
    if (differences.length)
      throw new Error(
        `host "${props.hostName}": step "${props.stepName}" ran but the host does not hold it:\n${differences
          .map((d) => `  ${d.item}: expected ${d.expected}, found ${d.found}`)
          .join("\n")}`,
      );
  }
  return seen;
}

/** The dynamic provider behind {@link RemoteStep}. */
export const remoteStepProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: StepProps, news: StepProps): Promise<pulumi.dynamic.DiffResult> {
    const replaces: string[] = [];
    if (olds.connection.host !== news.connection.host || olds.connection.port !== news.connection.port)
      replaces.push("connection");
    // A refresh that found the host changed behind our back leaves a fingerprint that no longer matches.
    const drifted =
      news.verify !== undefined &&
      olds.fingerprint !== undefined &&
      checkDifferences(news.verify.expected, olds.fingerprint).length > 0;
    const changes =
      replaces.length > 0 ||
      drifted ||
      // A new observation (or a state from before observations) is made by an update that only looks.
      (olds.observe ?? "") !== (news.observe ?? "") ||
      olds.create !== news.create ||
      (olds.delete ?? "") !== (news.delete ?? "") ||
      olds.connection.user !== news.connection.user ||
      olds.connection.privateKey !== news.connection.privateKey;
    return { changes, replaces, deleteBeforeReplace: false };
  },
  async create(inputs: StepProps): Promise<pulumi.dynamic.CreateResult> {
    let hostKeyFingerprint: string | undefined;
    const seen = await applyStep(inputs, (f) => (hostKeyFingerprint = f));
    return {
      id: `${inputs.hostName}/${inputs.stepName}`,
      outs: { ...inputs, ...seen, ...(inputs.recordHostKey ? { hostKeyFingerprint } : {}) },
    };
  },
  async update(_id: string, olds: StepProps, news: StepProps): Promise<pulumi.dynamic.UpdateResult> {
    // Re-run when the script changed or the host drifted; a new observation script only looks; a
    // credentials-only change just updates state. The connect step always connects, so every update checks
    // (and records) the host key.
    const drifted =
      news.verify !== undefined &&
      (olds.fingerprint === undefined || checkDifferences(news.verify.expected, olds.fingerprint).length > 0);
    let hostKeyFingerprint = olds.hostKeyFingerprint;
    const seen =
      olds.create !== news.create || drifted || news.recordHostKey
        ? await applyStep(news, (f) => (hostKeyFingerprint = f))
        : (olds.observe ?? "") !== (news.observe ?? "")
          ? await inspectHost(news)
          : {};
    return {
      outs: {
        ...news,
        ...(news.verify ? { fingerprint: seen.fingerprint ?? olds.fingerprint } : {}),
        ...(news.observe ? { observed: seen.observed ?? olds.observed } : {}),
        ...(news.recordHostKey ? { hostKeyFingerprint } : {}),
      },
    };
  },
  async read(id: string, props: StepProps): Promise<pulumi.dynamic.ReadResult> {
    if (props.recordHostKey) {
      // Refresh connects to the host: the pinned key is checked before every delivery and drift check.
      let hostKeyFingerprint = props.hostKeyFingerprint;
      await runRemoteScript(props, "true", (f) => (hostKeyFingerprint = f));
      return { id, props: { ...props, hostKeyFingerprint } };
    }
    if (!props.verify && !props.observe) return { id, props };
    return { id, props: { ...props, ...(await inspectHost(props)) } };
  },
  async delete(_id: string, props: StepProps): Promise<void> {
    if (props.delete) await runRemoteScript(props, props.delete);
  },
};

/** One build step on an SSH-reached host. */
export class RemoteStep extends pulumi.dynamic.Resource {
  /** The SHA256 fingerprint of the host key the server showed (steps made with `recordHostKey`). */
  declare readonly hostKeyFingerprint: pulumi.Output<string | undefined>;
  /** What the step's observation script saw on the host after the last apply or refresh (steps with `observe`). */
  declare readonly observed: pulumi.Output<Record<string, string> | undefined>;
  constructor(name: string, args: RemoteStepArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      remoteStepProvider,
      name,
      {
        ...args,
        connection: pulumi.secret(args.connection),
        delete: args.delete ?? "",
        fingerprint: undefined,
        observed: undefined,
        recordHostKey: args.recordHostKey ?? false,
        hostKeyFingerprint: undefined,
      },
      { ...opts, additionalSecretOutputs: ["connection"] },
      "majordome-host",
      "RemoteStep",
    );
  }
}
