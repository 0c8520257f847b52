/**
 * Credentials checked before they are stored, and handed to the build steps of the current operation.
 *
 * A private key given to `deliver` (or `drift`, `destroy`) is parsed, and tried on its host when the host
 * answers, before anything is written: a key that cannot work is refused with exit 2 and changes nothing.
 * The key in the stack config is then the one every step uses — including refresh and delete, which the
 * engine runs with the state of the last update: the operation writes the current keys to a private folder
 * (0700, files 0600) named by MAJORDOME_HOST_KEYS_DIR, which the steps' provider prefers to the key in state.
 * So a rotated or once-wrong key is replaced by giving the right one: no state surgery.
 */
import type { ConfigMap } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createHash } from "crypto";
import { Client, utils } from "ssh2";
import { UserError } from "../../base/errors";
import { keyFileName } from "../../components/host/remoteStep";
import type { LoadedEnvironment } from "../../blueprints/lib/loader";
import { hostKeyVariable } from "./stackConfig";

/** How a host is reached, as the blueprint says. */
interface Endpoint {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  readonly keySecret: string;
}

function endpoints(loaded: LoadedEnvironment): Endpoint[] {
  return loaded.resolved.hosts.map((h) => ({
    name: h.name,
    address: h.address,
    port: h.port,
    user: h.user,
    keySecret: h.keySecret,
  }));
}

/** The host keys a config map gives (`majordome:hostKeys.<name>` path keys, or the whole object). */
export function hostKeysOf(config: ConfigMap | undefined): Map<string, string> {
  const keys = new Map<string, string>();
  if (!config) return keys;
  for (const [key, value] of Object.entries(config)) {
    if (key === "majordome:hostKeys") {
      try {
        const parsed = JSON.parse(String(value.value)) as unknown;
        if (parsed && typeof parsed === "object")
          for (const [name, v] of Object.entries(parsed)) if (typeof v === "string") keys.set(name, v);
      } catch {
        /* not an object: ignored, the program reports it */
      }
    } else if (key.startsWith("majordome:hostKeys.")) {
      keys.set(key.slice("majordome:hostKeys.".length), String(value.value));
    }
  }
  return keys;
}

/** Refuses (exit 2) a key that is not an unencrypted private key ssh2 can use. */
export function parsePrivateKey(hostName: string, keySecret: string, key: string): void {
  const parsed = utils.parseKey(key);
  const first = Array.isArray(parsed) ? parsed[0] : parsed;
  if (first instanceof Error || !first || !first.isPrivateKey())
    throw new UserError(
      `host "${hostName}": the private key given for keySecret "${keySecret}" cannot be used: ${
        first instanceof Error ? first.message : "it is not a private key"
      }; nothing was changed`,
      `give an unencrypted OpenSSH or PEM private key in ${hostKeyVariable(keySecret)} or ${hostKeyVariable(keySecret, true)}`,
    );
}

/** What trying a key on a host found. */
export type KeyTrial =
  | "accepted"
  | "refused"
  | "unreachable"
  /** The server showed another host key than the pinned one: the key was not offered. */
  | { readonly mismatch: string };

/** The SHA256 fingerprint of a pin: a `SHA256:` fingerprint as is, or an OpenSSH public key line's. */
export function pinFingerprint(pin: string): string {
  const trimmed = pin.trim();
  if (trimmed.startsWith("SHA256:")) return trimmed;
  return fingerprintOf(Buffer.from(trimmed.split(/\s+/)[1] ?? "", "base64"));
}

function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/**
 * Tries `key` on the host (authentication only, nothing is run). With `pin`, the server's host key is checked
 * first, before authentication, as every step does: an impostor is never offered the key.
 */
export function tryKey(
  endpoint: Omit<Endpoint, "name" | "keySecret">,
  key: string,
  pin?: string,
): Promise<KeyTrial> {
  const expected = pin === undefined ? undefined : pinFingerprint(pin);
  return new Promise((resolve) => {
    const client = new Client();
    let settled = false;
    let mismatch: string | undefined;
    const done = (trial: KeyTrial) => {
      if (settled) return;
      settled = true;
      client.end();
      resolve(trial);
    };
    client.on("ready", () => done("accepted"));
    client.on("error", (e: Error & { level?: string }) =>
      done(
        mismatch !== undefined
          ? { mismatch }
          : e.level === "client-authentication"
            ? "refused"
            : "unreachable",
      ),
    );
    try {
      client.connect({
        host: endpoint.address,
        port: endpoint.port,
        username: endpoint.user,
        privateKey: key,
        readyTimeout: 10000,
        hostVerifier: (hostKey: Buffer) => {
          const seen = fingerprintOf(hostKey);
          if (expected === undefined || seen === expected) return true;
          mismatch = seen;
          return false;
        },
      });
    } catch {
      done("unreachable");
    }
  });
}

/**
 * Checks every key `config` is about to store: parsed, then tried on each host that uses it (a host that
 * does not answer cannot be checked, and is said so). The host must show its pinned host key (the
 * blueprint's `hostKey`, else `pins` by host name) before the key is offered: a mismatch is refused with
 * exit 4, as a step would. Throws a UserError (exit 2) before anything is written.
 */
export async function checkNewHostKeys(
  loaded: LoadedEnvironment,
  config: ConfigMap,
  pins: ReadonlyMap<string, string>,
  say: (line: string) => void,
): Promise<void> {
  const fresh = hostKeysOf(config);
  for (const host of endpoints(loaded)) {
    const key = fresh.get(host.keySecret);
    if (key === undefined) continue;
    parsePrivateKey(host.name, host.keySecret, key);
    const pin = loaded.resolved.hosts.find((h) => h.name === host.name)?.hostKey ?? pins.get(host.name);
    const trial = await tryKey(host, key, pin);
    if (typeof trial === "object")
      throw new UserError(
        `host "${host.name}" (${host.user}@${host.address}:${host.port}): HOST KEY MISMATCH, connection refused: the server shows ${trial.mismatch} but ${host.name} is pinned to ${pinFingerprint(pin ?? "")}; the private key was not offered and nothing was changed`,
        `someone may be impersonating the host, or it was reinstalled; if the new key is right, accept it with \`majordome hosts trust ${loaded.resolved.client}/${loaded.resolved.environment} ${host.name}\``,
        4,
      );
    if (trial === "refused")
      throw new UserError(
        `host "${host.name}" (${host.user}@${host.address}:${host.port}) refused the private key given for keySecret "${host.keySecret}"; nothing was changed`,
        `check ${hostKeyVariable(host.keySecret)} / ${hostKeyVariable(host.keySecret, true)}: is its public key in ~${host.user}/.ssh/authorized_keys on the host?`,
      );
    if (trial === "unreachable")
      say(
        `${loaded.resolved.stackName}: host "${host.name}" did not answer; its new key could not be tried before storing it`,
      );
  }
}

/** A private folder holding the current host keys for one operation's build steps. */
export interface KeysFolder {
  /** The folder (0700), for MAJORDOME_HOST_KEYS_DIR. */
  readonly dir: string;
  /**
   * Writes the private keys of `loaded`'s hosts, taken from the stack's config, and the host keys each must
   * show (the blueprint's `hostKey`, else the pin in `pins`, by host name).
   */
  write(
    loaded: LoadedEnvironment,
    keys: ReadonlyMap<string, string>,
    pins: ReadonlyMap<string, string>,
  ): void;
  /** Removes the folder. */
  remove(): void;
}

/** Makes the private keys folder of one operation (removed by `remove()` or when this process exits). */
export function keysFolder(): KeysFolder {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-keys-"));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  process.once("exit", remove);
  return {
    dir,
    write(loaded, keys, pins) {
      for (const host of loaded.resolved.hosts) {
        const file = path.join(dir, keyFileName(host.user, host.address, host.port));
        const key = keys.get(host.keySecret);
        if (key !== undefined) fs.writeFileSync(file, key, { mode: 0o600 });
        const pin = host.hostKey ?? pins.get(host.name);
        if (pin !== undefined) fs.writeFileSync(`${file}.hostkey`, pin, { mode: 0o600 });
      }
    },
    remove,
  };
}
