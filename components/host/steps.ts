/**
 * Build steps as shell scripts. Every value that came from a blueprint is shell-quoted or base64-encoded, so
 * it is applied literally and can never run a command of its own (only a `run` step runs what its author
 * wrote). Pure functions: unit-tested directly, and the exact scripts are what the remote commands run.
 */
import { createHash } from "crypto";
import type { HostStep } from "../../blueprints/lib/model";
import { shellQuote } from "../../base/shell";

/** The scripts of one step. */
export interface StepScripts {
  /** Runs on create and on every change of this script. */
  readonly create: string;
  /** Runs when the step is removed; undefined when removal leaves things as they are. */
  readonly delete?: string;
  /** Prints a fingerprint of the step's effect (for drift detection), and the fingerprint it should print. */
  readonly verify?: { readonly script: string; readonly expected: string };
}

/** A short content hash, used to make a step's script change when something it depends on changes. */
export function contentHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

const PACKAGE_INSTALL = [
  "if command -v apt-get >/dev/null 2>&1; then export DEBIAN_FRONTEND=noninteractive;",
  '  dpkg -s "$@" >/dev/null 2>&1 || { apt-get install -y --no-install-recommends "$@" || { apt-get update -qq && apt-get install -y --no-install-recommends "$@"; }; }',
  'elif command -v dnf >/dev/null 2>&1; then dnf install -y "$@";',
  'else echo "majordome: no supported package manager (apt-get, dnf) on this host" >&2; exit 1; fi',
].join("\n");

/** Renders the scripts of one step; `dependencyHashes` are the content hashes of steps it restarts on. */
export function stepScripts(step: HostStep, dependencyHashes: readonly string[] = []): StepScripts {
  const header = `set -eu\n# majordome step ${step.name}${dependencyHashes.length ? ` (after ${dependencyHashes.join(",")})` : ""}`;
  if (step.packages) {
    const args = step.packages.map(shellQuote).join(" ");
    return {
      create: `${header}\nset -- ${args}\n${PACKAGE_INSTALL}`,
      ...(step.undo ? { delete: `set -eu\n${step.undo}` } : {}),
      verify: {
        script: `set -- ${args}\nif command -v dpkg >/dev/null 2>&1; then dpkg -s "$@" >/dev/null 2>&1 && echo installed || echo missing; else rpm -q "$@" >/dev/null 2>&1 && echo installed || echo missing; fi`,
        expected: "installed",
      },
    };
  }
  if (step.file) {
    const { path, content, mode, owner } = step.file;
    const encoded = Buffer.from(content, "utf8").toString("base64");
    const target = shellQuote(path);
    return {
      create: [
        header,
        `target=${target}`,
        'mkdir -p "$(dirname "$target")"',
        'tmp="$target.majordome.$$"',
        `printf '%s' ${shellQuote(encoded)} | base64 -d > "$tmp"`,
        `chmod ${shellQuote(mode)} "$tmp"`,
        `chown ${shellQuote(owner)} "$tmp"`,
        'mv -f "$tmp" "$target"',
      ].join("\n"),
      delete: step.undo ? `set -eu\n${step.undo}` : `rm -f ${target}`,
      verify: {
        script: `if [ -f ${target} ]; then printf '%s %s %s' "$(sha256sum < ${target} | cut -d' ' -f1)" "$(stat -c %a ${target})" "$(stat -c %U:%G ${target})"; else echo missing; fi`,
        expected: `${createHash("sha256").update(content, "utf8").digest("hex")} ${mode.replace(/^0(?=[0-7]{3}$)/, "")} ${owner.includes(":") ? owner : `${owner}:${owner}`}`,
      },
    };
  }
  if (step.service) {
    const name = shellQuote(step.service.name);
    const enable = step.service.enabled
      ? `systemctl enable ${name} >/dev/null 2>&1 || update-rc.d ${name} defaults >/dev/null 2>&1 || true\nif [ -d /run/systemd/system ]; then systemctl restart ${name}; else service ${name} restart; fi`
      : `systemctl disable ${name} >/dev/null 2>&1 || update-rc.d ${name} disable >/dev/null 2>&1 || true\nif [ -d /run/systemd/system ]; then systemctl stop ${name} || true; else service ${name} stop || true; fi`;
    return {
      create: `${header}\n${enable}`,
      delete: step.undo
        ? `set -eu\n${step.undo}`
        : `if [ -d /run/systemd/system ]; then systemctl disable --now ${name} || true; else service ${name} stop || true; update-rc.d ${name} disable >/dev/null 2>&1 || true; fi`,
    };
  }
  if (step.run) {
    return { create: `${header}\n${step.run}`, ...(step.undo ? { delete: `set -eu\n${step.undo}` } : {}) };
  }
  throw new Error(`step "${step.name}" has no action`);
}

/** The baseline run on every host first: run-team accounts with their keys, and the labels file. */
export function baselineScripts(
  runTeam: readonly { name: string; sshPublicKey: string }[],
  sudo: boolean,
  labels: Readonly<Record<string, string>>,
): StepScripts {
  const lines = ["set -eu", "mkdir -p /etc/majordome"];
  const labelText = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
  lines.push(`printf '%s\\n' ${shellQuote(labelText)} > /etc/majordome/labels`);
  for (const m of runTeam) {
    const user = shellQuote(m.name);
    lines.push(
      `id -u ${user} >/dev/null 2>&1 || useradd --create-home --shell /bin/bash ${user}`,
      `home=$(getent passwd ${user} | cut -d: -f6)`,
      'install -d -m 700 "$home/.ssh"',
      `printf '%s\\n' ${shellQuote(m.sshPublicKey)} > "$home/.ssh/authorized_keys"`,
      `chmod 600 "$home/.ssh/authorized_keys" && chown -R ${user}: "$home/.ssh"`,
    );
    if (sudo)
      lines.push(
        `mkdir -p /etc/sudoers.d && printf '%s ALL=(ALL) NOPASSWD:ALL\\n' ${user} > /etc/sudoers.d/90-majordome-${m.name} && chmod 440 /etc/sudoers.d/90-majordome-${m.name}`,
      );
    else lines.push(`rm -f /etc/sudoers.d/90-majordome-${m.name}`);
  }
  const remove = runTeam.map(
    (m) =>
      `userdel -r ${shellQuote(m.name)} 2>/dev/null || true; rm -f /etc/sudoers.d/90-majordome-${m.name}`,
  );
  return {
    create: lines.join("\n"),
    delete: ["set -eu", ...remove, "rm -f /etc/majordome/labels"].join("\n"),
  };
}
