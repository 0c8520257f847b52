/**
 * `majordome explain <client>/<env> [pointer]`: the effective blueprint after `extends` and defaults, and for
 * each value the file and line that set it and what it overrode.
 */
import { stringify } from "yaml";
import { BlueprintLoader, type LoadedEnvironment } from "../../../blueprints/lib/loader";
import type { SourcePosition } from "../../../blueprints/lib/issues";
import { fromPointer, toPointer } from "../../../blueprints/lib/pointer";
import { lookup } from "../../../blueprints/lib/tracked";
import { ExitCode, UserError } from "../../../base/errors";
import type { Io } from "../../../base/io";
import { environmentRef } from "../../../blueprints/lib/environmentRef";

/** Where one effective value came from. */
export interface ValueOrigin {
  readonly pointer: string;
  readonly value: unknown;
  /** `file:line:col` that set it, or `schema default`. */
  readonly setBy: string;
  /** Earlier values it replaced, newest last. */
  readonly overrode: readonly { readonly value: unknown; readonly setBy: string }[];
}

const at = (p: SourcePosition) => `${p.file}:${p.line}:${p.col}`;

/** Lists every leaf value under `pointer` with its origin. */
export function explainValues(loaded: LoadedEnvironment, pointer: string): ValueOrigin[] {
  const root = valueAt(loaded.blueprint, pointer);
  const out: ValueOrigin[] = [];
  const walk = (value: unknown, segments: (string | number)[]) => {
    if (
      value !== null &&
      typeof value === "object" &&
      (Array.isArray(value) ? value.length > 0 : Object.keys(value).length > 0)
    ) {
      for (const [k, v] of Object.entries(value))
        walk(v, [...segments, Array.isArray(value) ? Number(k) : k]);
      return;
    }
    const p = toPointer(segments);
    const found = lookup(loaded.tree, p);
    out.push({
      pointer: p,
      value,
      setBy: found.exact ? at(found.node.origin) : "schema default",
      overrode: found.exact ? found.node.overrode.map((o) => ({ value: o.value, setBy: at(o.origin) })) : [],
    });
  };
  walk(root, fromPointer(pointer));
  return out;
}

function valueAt(doc: unknown, pointer: string): unknown {
  let value: unknown = doc;
  for (const segment of fromPointer(pointer)) {
    if (value === null || typeof value !== "object" || !(segment in (value as object))) {
      throw new UserError(
        `nothing at "${pointer}" in the effective blueprint`,
        "run `majordome explain <client>/<env>` to see every pointer",
      );
    }
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** Options of `explain`. */
export interface ExplainOptions {
  readonly selector: string;
  readonly pointer?: string;
  readonly json?: boolean;
  readonly loader?: BlueprintLoader;
}

/** Prints the effective blueprint (or one value) with origins; returns the exit code. */
export function explain(options: ExplainOptions, io: Io): number {
  const loader = options.loader ?? new BlueprintLoader();
  const ref = environmentRef(loader.repository, options.selector);
  const loaded = loader.loadEnvironmentFile(ref.file);
  const pointer = options.pointer ?? "";
  if (pointer !== "" && !pointer.startsWith("/"))
    throw new UserError(
      `"${pointer}" is not a JSON pointer`,
      'pointers start with "/", e.g. /servers/0/flavor',
    );
  const values = explainValues(loaded, pointer);
  if (options.json) {
    io.out(
      JSON.stringify(
        {
          environment: options.selector,
          sources: loaded.sources,
          pointer,
          value: valueAt(loaded.blueprint, pointer),
          origins: values,
        },
        null,
        2,
      ),
    );
    return ExitCode.Ok;
  }
  if (pointer === "") {
    io.out(`# effective blueprint of ${options.selector}, merged from:`);
    for (const s of loaded.sources) io.out(`#   ${s}`);
    io.out(stringify(loaded.blueprint).trimEnd());
    io.out("");
    io.out("# where each value came from:");
  }
  for (const v of values) {
    const replaced = v.overrode.map((o) => `${JSON.stringify(o.value)} from ${o.setBy}`).join(", then ");
    io.out(
      `${v.pointer} = ${JSON.stringify(v.value)}  ← ${v.setBy}${replaced ? `  (overrode ${replaced})` : ""}`,
    );
  }
  return ExitCode.Ok;
}
