/**
 * Build steps as shell scripts. Every value that came from a blueprint is shell-quoted or base64-encoded, so
 * it is applied literally and can never run a command of its own (only a `run` step runs what its author
 * wrote). Pure functions: unit-tested directly, and the exact scripts are what the remote commands run.
 */
import { createHash } from "crypto";
import { shellQuote } from "../../base/shell";
import {
  labelsLines,
  removeRunTeamLines,
  runTeamLines,
  type RunTeamAccount,
} from "../baseline/operationsBaseline";

/**
 * One build step on a host: exactly one action (packages, a file, a service, or a shell `run`), and an
 * optional `undo` run when the step is removed. The component's own type: blueprints map onto it.
 */
export interface HostStep {
  /** Stable key; the step's resource is named from it. */
  readonly name: string;
  /** Packages installed (apt-get or dnf). */
  readonly packages?: readonly string[];
  /** A file written atomically with its mode and owner (`user` or `user:group`). */
  readonly file?: {
    readonly path: string;
    readonly content: string;
    readonly mode: string;
    readonly owner: string;
  };
  /** A service enabled and (re)started, or disabled and stopped. */
  readonly service?: {
    readonly name: string;
    readonly enabled: boolean;
    /** Steps whose change restarts this service. */
    readonly restartOnChangeOf?: readonly string[];
  };
  /** A shell script its author wrote, run as is. */
  readonly run?: string;
  /** A shell script run when the step is removed. */
  readonly undo?: string;
}

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

/**
 * The baseline run on every host first: run-team accounts with their keys, and the labels file — the same
 * rendering OVH instances get at first boot (components/baseline).
 */
export function baselineScripts(
  runTeam: readonly RunTeamAccount[],
  sudo: boolean,
  labels: Readonly<Record<string, string>>,
): StepScripts {
  return {
    create: ["set -eu", ...labelsLines(labels), ...runTeamLines(runTeam, sudo)].join("\n"),
    delete: ["set -eu", ...removeRunTeamLines(runTeam), "rm -f /etc/majordome/labels"].join("\n"),
  };
}
