/**
 * RemoteStep: one build step run over SSH on a host, as a Pulumi dynamic resource.
 *
 * Why a dynamic provider and not `@pulumi/command`: the command provider is a Go plugin that the Go module
 * proxy available to this project does not serve, so it cannot be built here; the Node.js dynamic provider
 * runs inside the engine with no plugin to install. The contract is the same as `command.remote.Command`
 * with `update` set to the create script: the create script runs on create and whenever it changes (in
 * place), the delete script runs when the step is removed, and changing the host replaces the step.
 *
 * The connection (with the private key) is an input marked secret and kept as a secret output, so the key is
 * encrypted in state and never printed; the step stores no command output.
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
}

interface StepProps {
  hostName: string;
  stepName: string;
  connection: SshConnection;
  create: string;
  delete?: string;
  verify?: { script: string; expected: string };
  /** What the host showed at the last create, update or refresh. */
  fingerprint?: string;
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
      olds.fingerprint !== news.verify.expected;
    const changes =
      replaces.length > 0 ||
      drifted ||
      olds.create !== news.create ||
      (olds.delete ?? "") !== (news.delete ?? "") ||
      olds.connection.user !== news.connection.user ||
      olds.connection.privateKey !== news.connection.privateKey;
    return { changes, replaces, deleteBeforeReplace: false };
  },
  async create(inputs: StepProps): Promise<pulumi.dynamic.CreateResult> {
    let hostKeyFingerprint: string | undefined;
    await runRemoteScript(inputs, inputs.create, (f) => (hostKeyFingerprint = f));
    return {
      id: `${inputs.hostName}/${inputs.stepName}`,
      outs: {
        ...inputs,
        ...(inputs.verify ? { fingerprint: inputs.verify.expected } : {}),
        ...(inputs.recordHostKey ? { hostKeyFingerprint } : {}),
      },
    };
  },
  async update(_id: string, olds: StepProps, news: StepProps): Promise<pulumi.dynamic.UpdateResult> {
    // Re-run when the script changed or the host drifted; a credentials-only change just updates state.
    // The connect step always connects, so every update checks (and records) the host key.
    const drifted = news.verify !== undefined && olds.fingerprint !== news.verify.expected;
    let hostKeyFingerprint = olds.hostKeyFingerprint;
    if (olds.create !== news.create || drifted || news.recordHostKey)
      await runRemoteScript(news, news.create, (f) => (hostKeyFingerprint = f));
    return {
      outs: {
        ...news,
        ...(news.verify ? { fingerprint: news.verify.expected } : {}),
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
    if (!props.verify) return { id, props };
    const fingerprint = (await runRemoteScript(props, props.verify.script)).trim();
    return { id, props: { ...props, fingerprint } };
  },
  async delete(_id: string, props: StepProps): Promise<void> {
    if (props.delete) await runRemoteScript(props, props.delete);
  },
};

/** One build step on an SSH-reached host. */
export class RemoteStep extends pulumi.dynamic.Resource {
  /** The SHA256 fingerprint of the host key the server showed (steps made with `recordHostKey`). */
  declare readonly hostKeyFingerprint: pulumi.Output<string | undefined>;
  constructor(name: string, args: RemoteStepArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      remoteStepProvider,
      name,
      {
        ...args,
        connection: pulumi.secret(args.connection),
        delete: args.delete ?? "",
        fingerprint: undefined,
        recordHostKey: args.recordHostKey ?? false,
        hostKeyFingerprint: undefined,
      },
      { ...opts, additionalSecretOutputs: ["connection"] },
      "majordome-host",
      "RemoteStep",
    );
  }
}
