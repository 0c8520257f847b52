/**
 * The blueprint loader: read → resolve `extends` → validate against the schema → semantic checks → normalise.
 * Every problem is collected and thrown once as a {@link BlueprintError}; nothing partial is ever returned.
 * A loader instance caches parsed files, so validating many environments that share templates parses each
 * template once.
 */
import * as fs from "fs";
import { loadCatalog, type Catalog } from "./catalog";
import { didYouMean } from "./hints";
import { BlueprintError, type BlueprintIssue, type SourcePosition } from "./issues";
import type { ClientProfile, EnvironmentBlueprint, ResolvedEnvironment, SharedNetwork } from "./model";
import { normalize } from "./normalize";
import { fromPointer, toPointer } from "./pointer";
import {
  impliedDependencies,
  isNetworkReference,
  outputPathProblem,
  referencesOf,
  withSharedNetwork,
} from "./references";
import { BlueprintRepository, displayPath } from "./repository";
import { validateAgainstSchema, type DocumentKind } from "./schema";
import type { Section } from "./rules";
import { checkEnvironment } from "./semantics";
import { parseSource, type SourceResult } from "./source";
import { lookup, mergeTracked, toPlain, withoutKeys, type Tracked, type TrackedMap } from "./tracked";
import * as path from "path";

/** An environment that passed every check. */
export interface LoadedEnvironment {
  /** The environment file (absolute). */
  readonly file: string;
  /** Every file that contributed, in merge order (templates first, this file last). */
  readonly sources: readonly string[];
  /** The effective document after `extends` and schema defaults. */
  readonly blueprint: EnvironmentBlueprint;
  /** Where each value came from. */
  readonly tree: Tracked;
  /** The normalised model the program builds. */
  readonly resolved: ResolvedEnvironment;
}

/** A client profile that passed every check. */
export interface LoadedClient {
  readonly file: string;
  readonly profile: ClientProfile;
}

/** Options of a loader. */
export interface LoaderOptions {
  /** Blueprints root. @default the project's blueprints/ folder */
  readonly repository?: BlueprintRepository;
  /** Catalog to check names against. @default blueprints/catalog/ovh.yaml */
  readonly catalog?: Catalog;
  /** The clock client policy exceptions are judged by (tests fix it). @default the current time */
  readonly now?: () => Date;
}

interface Composed {
  readonly tree: TrackedMap;
  readonly sources: string[];
}

/** Loads and checks blueprints. */
export class BlueprintLoader {
  readonly repository: BlueprintRepository;
  readonly catalog: Catalog;
  /** The clock client policy exceptions are judged by. */
  readonly now: () => Date;
  private readonly parsed = new Map<string, SourceResult>();
  private readonly clientCache = new Map<string, { client?: LoadedClient; issues: BlueprintIssue[] }>();
  /** Referenced environments already loaded (or refused), by file. */
  private readonly referencedCache = new Map<string, LoadedEnvironment | BlueprintError>();
  /** `<client>/<environment>` of each client's environments, listed once per loader (a run sees one tree). */
  private readonly siblingCache = new Map<string, readonly string[]>();
  /** Each environment file's implied dependencies, composed once per loader (cycle walks revisit them). */
  private readonly impliedCache = new Map<string, readonly string[]>();

  constructor(options: LoaderOptions = {}) {
    this.repository = options.repository ?? new BlueprintRepository();
    this.catalog = options.catalog ?? loadCatalog();
    this.now = options.now ?? (() => new Date());
  }

  /** Reads and parses a file once per loader. */
  private read(file: string): SourceResult {
    const cached = this.parsed.get(file);
    if (cached) return cached;
    const shown = displayPath(file);
    let result: SourceResult;
    try {
      const stat = fs.statSync(file);
      if (!stat.isFile()) throw Object.assign(new Error("not a file"), { code: "EISDIR" });
      result = parseSource(shown, fs.readFileSync(file));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const message =
        code === "ENOENT"
          ? "file not found"
          : code === "EISDIR"
            ? "is a directory, not a blueprint file"
            : `cannot read file (${code ?? String(e)})`;
      result = {
        ok: false,
        issues: [{ file: shown, line: 1, col: 1, pointer: "", code: "source.unreadable", message }],
      };
    }
    this.parsed.set(file, result);
    return result;
  }

  /** The `kind` a parsed document declares, if it is a known one. */
  private static kindOf(tree: TrackedMap): DocumentKind | undefined {
    const kind = tree.entries.get("kind")?.value;
    return kind?.kind === "scalar" &&
      (kind.value === "Client" || kind.value === "Environment" || kind.value === "Template")
      ? kind.value
      : undefined;
  }

  /**
   * Client isolation for `extends`: a document may build on the shared templates and on its own client's
   * documents only, and never on a file outside the blueprints tree (symbolic links resolved).
   */
  private isolationProblem(
    reference: string,
    target: string,
    from: string,
  ): { message: string; hint: string } | undefined {
    const root = realOrSelf(this.repository.root);
    const real = realOrSelf(target);
    if (path.relative(root, real).startsWith("..") || path.isAbsolute(path.relative(root, real)))
      return {
        message: `extends "${reference}": outside the blueprints tree (${displayPath(target)})`,
        hint: "extend a template (templates/<name>) or an environment of the same client (<client>/<env>)",
      };
    const mine = this.repository.locate(from)?.client;
    const theirs = this.repository.locate(real)?.client;
    if (mine && theirs && mine !== theirs)
      return {
        message: `extends "${reference}": another client's document (${theirs}); a client's blueprints may use only its own documents and the shared templates`,
        hint: "move what both need into a template under templates/",
      };
    return undefined;
  }

  /** Resolves `extends` of `file` recursively and returns the merged tree (without `extends`). */
  private compose(file: string, chain: readonly string[], issues: BlueprintIssue[]): Composed | undefined {
    const source = this.read(file);
    if (!source.ok) {
      issues.push(...source.issues);
      return undefined;
    }
    const tree = source.tree as TrackedMap;
    const ext = tree.entries.get("extends");
    let base: Tracked | undefined;
    const sources: string[] = [];
    if (ext) {
      const refs = ext.value.kind === "list" ? ext.value.items : [ext.value];
      for (const ref of refs) {
        if (ref.kind !== "scalar" || typeof ref.value !== "string" || ref.value === "") {
          issues.push(
            issueAt(
              ref.origin,
              "/extends",
              "extends.invalid",
              "each extends entry must be a non-empty string",
            ),
          );
          continue;
        }
        const target = this.repository.resolveExtends(ref.value, file);
        const refused = this.isolationProblem(ref.value, target, file);
        if (refused) {
          issues.push(issueAt(ref.origin, "/extends", "extends.isolation", refused.message, refused.hint));
          continue;
        }
        if (chain.includes(target) || target === file) {
          const cycle = [...chain, file, target].map((f) => displayPath(f)).join(" → ");
          issues.push(issueAt(ref.origin, "/extends", "extends.cycle", `extends cycle: ${cycle}`));
          continue;
        }
        if (!fs.existsSync(target)) {
          const templates = this.repository.templates().map((t) => `templates/${path.basename(t, ".yaml")}`);
          issues.push(
            issueAt(
              ref.origin,
              "/extends",
              "extends.missing",
              `extends "${ref.value}": no such file (${displayPath(target)})`,
              didYouMean(ref.value, templates),
            ),
          );
          continue;
        }
        const parent = this.compose(target, [...chain, file], issues);
        if (!parent) continue;
        const parentKind = BlueprintLoader.kindOf(parent.tree);
        if (parentKind === "Client") {
          issues.push(
            issueAt(
              ref.origin,
              "/extends",
              "extends.kind",
              `extends "${ref.value}": a Client profile cannot be extended`,
            ),
          );
          continue;
        }
        base = base ? mergeTracked(base, parent.tree) : parent.tree;
        sources.push(...parent.sources.filter((s) => !sources.includes(s)));
      }
    }
    const own = withoutKeys(tree, ["extends"]);
    const merged = (base ? mergeTracked(base, own) : own) as TrackedMap;
    return { tree: merged, sources: [...sources, file] };
  }

  /** Loads and checks a client profile by id. */
  loadClient(clientId: string): LoadedClient {
    const { client, issues } = this.checkClient(clientId);
    if (!client) throw new BlueprintError(issues);
    return client;
  }

  private checkClient(clientId: string): { client?: LoadedClient; issues: BlueprintIssue[] } {
    const cached = this.clientCache.get(clientId);
    if (cached) return cached;
    const file = this.repository.clientFile(clientId);
    const issues: BlueprintIssue[] = [];
    const source = this.read(file);
    let result: { client?: LoadedClient; issues: BlueprintIssue[] };
    if (!source.ok) {
      result = { issues: source.issues };
    } else {
      const data = toPlain(source.tree) as Record<string, unknown>;
      if (data.kind !== "Client") {
        issues.push(
          issueAt(
            source.tree.origin,
            "/kind",
            "kind.expected-client",
            `${displayPath(file)} must be a Client profile (kind: Client)`,
          ),
        );
      } else {
        scaffold(data, "serviceLevel");
        issues.push(...validateAgainstSchema("Client", data, source.tree));
        const id = (data.metadata as { id?: unknown } | undefined)?.id;
        if (issues.length === 0 && id !== clientId) {
          issues.push(
            located(
              source.tree,
              "/metadata/id",
              "client.id-mismatch",
              `client id "${String(id)}" does not match its folder "${clientId}"`,
              `rename the folder or set id: ${clientId}`,
            ),
          );
        }
      }
      result = issues.length
        ? { issues }
        : { client: { file, profile: data as unknown as ClientProfile }, issues };
    }
    this.clientCache.set(clientId, result);
    return result;
  }

  /** Loads, checks and normalises an environment file; throws a BlueprintError with every problem. */
  loadEnvironmentFile(file: string): LoadedEnvironment {
    const abs = path.resolve(file);
    const issues: BlueprintIssue[] = [];
    const composed = this.compose(abs, [], issues);
    if (!composed) throw new BlueprintError(issues);
    const { tree, sources } = composed;
    const kind = BlueprintLoader.kindOf(tree);
    if (kind !== "Environment") {
      issues.push(...this.checkKindless(tree, "Environment"));
      throw new BlueprintError(issues);
    }
    const data = toPlain(tree) as Record<string, unknown>;
    scaffold(data, "operations", [
      "backups",
      "monitoring",
      "securityUpdates",
      "logForwarding",
      "runTeamAccess",
    ]);
    // An unresolved `extends` leaves the document incomplete: semantic checks would report what is missing.
    const composeFailed = issues.length > 0;
    const schemaIssues = validateAgainstSchema("Environment", data, tree);
    issues.push(...schemaIssues);
    const readable = readableSections(schemaIssues);
    if (composeFailed || !readable) throw new BlueprintError(issues);
    const blueprint = data as unknown as EnvironmentBlueprint;

    const where = this.repository.locate(abs);
    if (where && where.client !== blueprint.metadata.client) {
      issues.push(
        located(
          tree,
          "/metadata/client",
          "metadata.client-mismatch",
          `client "${blueprint.metadata.client}" does not match the folder "${where.client}"`,
          `set client: ${where.client}`,
        ),
      );
    }
    if (where?.environment && where.environment !== blueprint.metadata.environment) {
      issues.push(
        located(
          tree,
          "/metadata/environment",
          "metadata.environment-mismatch",
          `environment "${blueprint.metadata.environment}" does not match the file name "${where.environment}"`,
          `set environment: ${where.environment}`,
        ),
      );
    }
    const { client, issues: clientIssues } = this.checkClient(blueprint.metadata.client);
    if (!client) {
      const missing = clientIssues.some((i) => i.code === "source.unreadable");
      issues.push(
        missing
          ? located(
              tree,
              "/metadata/client",
              "ref.client",
              `no client profile for "${blueprint.metadata.client}" (${displayPath(this.repository.clientFile(blueprint.metadata.client))})`,
              didYouMean(blueprint.metadata.client, this.repository.clients()),
            )
          : located(
              tree,
              "/metadata/client",
              "ref.client-invalid",
              `the client profile of "${blueprint.metadata.client}" is invalid; see its own errors`,
            ),
      );
      if (!missing) issues.push(...clientIssues);
      throw new BlueprintError(issues);
    }
    const references = readable("metadata") ? this.resolveReferences(blueprint) : { problems: [] };
    for (const p of references.problems) issues.push(located(tree, p.pointer, p.code, p.message, p.hint));
    // An unresolved network reference leaves no network to judge: the rules that read one wait for the fix.
    const judged = references.networkUnresolved ? (s: Section) => s !== "network" && readable(s) : readable;
    for (const p of checkEnvironment(
      blueprint,
      client.profile,
      this.catalog,
      judged,
      this.now(),
      references.shared,
    )) {
      issues.push(located(tree, p.pointer, p.code, p.message, p.hint));
    }
    if (issues.length > 0) throw new BlueprintError(issues);
    return {
      file: abs,
      sources,
      blueprint,
      tree,
      resolved: normalize(blueprint, client.profile, this.catalog, references.shared),
    };
  }

  /**
   * Resolves what the environment references (`network.from`, `imports.*.from`) through the other environments'
   * blueprints: same client only, an environment that exists, is valid, closes no dependency cycle, has a network
   * of its own (for `network.from`) and exports the imported path. Also refuses `metadata.dependsOn` entries that
   * name no environment or close a cycle. Returns unlocated problems and the referenced network.
   */
  private resolveReferences(blueprint: EnvironmentBlueprint): {
    problems: { pointer: string; code: string; message: string; hint?: string }[];
    shared?: SharedNetwork;
    networkUnresolved?: boolean;
  } {
    const { client, environment } = blueprint.metadata;
    const self = `${client}/${environment}`;
    const problems: { pointer: string; code: string; message: string; hint?: string }[] = [];
    const report = (at: readonly (string | number)[], code: string, message: string, hint?: string) =>
      problems.push({ pointer: toPointer(at), code, message, ...(hint ? { hint } : {}) });
    const siblings = this.siblingsOf(client);
    /** The environment `selector` names, loaded, or undefined after reporting why it cannot be used. */
    const usable = (selector: string, at: readonly (string | number)[], what: string) => {
      if (selector === self) {
        report(at, "ref.self", `${what}: an environment cannot reference itself`);
        return undefined;
      }
      if (selector.split("/")[0] !== client) {
        report(
          at,
          "ref.other-client",
          `${what}: "${selector}" belongs to another client; an environment may reference only its own client's environments`,
          "clients are isolated: share through a template, or deliver the dependency in this client",
        );
        return undefined;
      }
      if (!siblings.includes(selector)) {
        report(
          at,
          "ref.environment",
          `${what}: no environment "${selector}"`,
          didYouMean(selector, siblings) ?? `environments of ${client}: ${siblings.join(", ") || "none"}`,
        );
        return undefined;
      }
      const cycle = this.dependencyPath(selector, self);
      if (cycle) {
        report(
          at,
          "ref.cycle",
          `dependency cycle: ${[self, ...cycle].join(" → ")}`,
          "an environment cannot depend, directly or not, on itself",
        );
        return undefined;
      }
      const loaded = this.loadReferenced(selector);
      if (loaded instanceof BlueprintError) {
        report(
          at,
          "ref.invalid",
          `${what}: ${selector} is not valid (${loaded.issues.length} problem(s))`,
          `run \`majordome validate ${selector}\``,
        );
        return undefined;
      }
      return loaded;
    };
    // dependsOn entries of another client or naming this environment are checkDependsOn's (semantics).
    blueprint.metadata.dependsOn?.forEach((d, i) => {
      if (d === self || d.split("/")[0] !== client) return;
      const at = ["metadata", "dependsOn", i];
      if (!siblings.includes(d))
        report(at, "ref.environment", `no environment "${d}"`, didYouMean(d, siblings) ?? undefined);
      else {
        const cycle = this.dependencyPath(d, self);
        if (cycle) report(at, "ref.cycle", `dependency cycle: ${[self, ...cycle].join(" → ")}`);
      }
    });
    let shared: SharedNetwork | undefined;
    let networkUnresolved = false;
    for (const ref of referencesOf(blueprint)) {
      const loaded = usable(ref.selector, ref.at, ref.what);
      if (ref.what === "network") {
        const net = loaded?.resolved.network;
        if (loaded && !net)
          report(
            ref.at,
            "ref.no-network",
            loaded.resolved.sharedNetwork
              ? `${ref.selector} has no network of its own: it uses the network of ${loaded.resolved.sharedNetwork.from}`
              : `${ref.selector} has no network to use`,
            loaded.resolved.sharedNetwork
              ? `reference ${loaded.resolved.sharedNetwork.from} directly`
              : `give ${ref.selector} a \`network\`, or give this environment its own`,
          );
        if (net)
          shared = {
            from: ref.selector,
            cidr: net.cidr,
            vlanId: net.vlanId,
            subnets: net.subnets,
            ...(net.gateway ? { gateway: net.gateway } : {}),
          };
        else networkUnresolved = true;
      } else if (loaded) {
        const name = ref.at[1] as string;
        const output = blueprint.imports?.[name]?.output ?? "";
        const why = outputPathProblem(loaded.resolved, output);
        if (why) report(["imports", name, "output"], "ref.output", `import "${name}": ${why}`);
      }
    }
    return { problems, ...(shared ? { shared } : {}), ...(networkUnresolved ? { networkUnresolved } : {}) };
  }

  /**
   * A chain of dependencies (`metadata.dependsOn` and references, read from the effective documents) from
   * `from` to `to`, `from` first and `to` last; undefined when `to` cannot be reached.
   */
  private dependencyPath(from: string, to: string, seen = new Set<string>()): string[] | undefined {
    if (from === to) return [to];
    if (seen.has(from)) return undefined;
    seen.add(from);
    const [c, e] = from.split("/");
    const file = this.repository.environmentFile(c, e);
    if (!fs.existsSync(file)) return undefined;
    for (const next of this.impliedDependenciesOf(file)) {
      const rest = this.dependencyPath(next, to, seen);
      if (rest) return [from, ...rest];
    }
    return undefined;
  }

  /** The environments of `client`, as `<client>/<environment>`, listed once per loader. */
  private siblingsOf(client: string): readonly string[] {
    let siblings = this.siblingCache.get(client);
    if (!siblings) {
      siblings = this.repository.environments(client).map((e) => `${e.client}/${e.environment}`);
      this.siblingCache.set(client, siblings);
    }
    return siblings;
  }

  /** What an environment file depends on (dependsOn and references); none when it cannot be composed. */
  private impliedDependenciesOf(file: string): readonly string[] {
    let deps = this.impliedCache.get(file);
    if (!deps) {
      const effective = this.effectiveDocument(file);
      deps = effective ? impliedDependencies(effective.blueprint) : [];
      this.impliedCache.set(file, deps);
    }
    return deps;
  }

  /** Loads a referenced environment once per loader (its problems are its own; the reference only says so). */
  private loadReferenced(selector: string): LoadedEnvironment | BlueprintError {
    const [c, e] = selector.split("/");
    const file = this.repository.environmentFile(c, e);
    const cached = this.referencedCache.get(file);
    if (cached) return cached;
    let result: LoadedEnvironment | BlueprintError;
    try {
      result = this.loadEnvironmentFile(file);
    } catch (err) {
      if (!(err instanceof BlueprintError)) throw err;
      result = err;
    }
    this.referencedCache.set(file, result);
    return result;
  }

  /**
   * The effective document of an environment file (after `extends` and schema defaults) and its client profile,
   * without semantic checks: what policy results are computed from even when a policy fails. Undefined when
   * the file cannot be composed or does not pass the schema (its shape could not be trusted).
   */
  effectiveEnvironment(file: string): { blueprint: EnvironmentBlueprint; client: ClientProfile } | undefined {
    const effective = this.effectiveDocument(file);
    const network = effective?.blueprint.network;
    if (!effective || !isNetworkReference(network)) return effective;
    // Policies judge the network the resources will sit on: a resolvable reference is shown as that network.
    const owner = this.loadReferenced(network.from);
    const net = owner instanceof BlueprintError ? undefined : owner.resolved.network;
    return net
      ? { ...effective, blueprint: withSharedNetwork(effective.blueprint, { ...net, from: network.from }) }
      : effective;
  }

  /** {@link effectiveEnvironment} as written: a network reference stays a reference. */
  private effectiveDocument(
    file: string,
  ): { blueprint: EnvironmentBlueprint; client: ClientProfile } | undefined {
    const issues: BlueprintIssue[] = [];
    const composed = this.compose(path.resolve(file), [], issues);
    if (!composed || issues.length || BlueprintLoader.kindOf(composed.tree) !== "Environment")
      return undefined;
    const data = toPlain(composed.tree) as Record<string, unknown>;
    scaffold(data, "operations", [
      "backups",
      "monitoring",
      "securityUpdates",
      "logForwarding",
      "runTeamAccess",
    ]);
    if (validateAgainstSchema("Environment", data, composed.tree).length) return undefined;
    const blueprint = data as unknown as EnvironmentBlueprint;
    const client = this.checkClient(blueprint.metadata.client).client;
    return client ? { blueprint, client: client.profile } : undefined;
  }

  /** The kind a file declares, when it can be read and declares a known one. */
  kindOfFile(file: string): DocumentKind | undefined {
    const source = this.read(path.resolve(file));
    return source.ok ? BlueprintLoader.kindOf(source.tree as TrackedMap) : undefined;
  }

  /**
   * The files `file` is made from: what it extends, recursively, and for an environment its client profile.
   * Problems found on the way are left to {@link checkFile}.
   */
  dependencies(file: string): string[] {
    const abs = path.resolve(file);
    const composed = this.compose(abs, [], []);
    if (!composed) return [];
    const deps = composed.sources.filter((s) => s !== abs);
    const metadata = composed.tree.entries.get("metadata")?.value;
    const client = metadata?.kind === "map" ? metadata.entries.get("client")?.value : undefined;
    if (BlueprintLoader.kindOf(composed.tree) === "Environment" && client?.kind === "scalar") {
      const profile = this.repository.clientFile(String(client.value));
      if (fs.existsSync(profile)) deps.push(profile);
    }
    return deps;
  }

  /** Loads `client/environment` from the standard layout. */
  loadEnvironment(client: string, environment: string): LoadedEnvironment {
    return this.loadEnvironmentFile(this.repository.environmentFile(client, environment));
  }

  /** For a document whose kind is wrong or missing: schema errors against the top-level document shape. */
  private checkKindless(tree: TrackedMap, expected: DocumentKind): BlueprintIssue[] {
    const kind = tree.entries.get("kind");
    if (!kind)
      return [
        located(
          tree,
          "",
          "schema.required",
          `missing required field "kind"`,
          `this file should say kind: ${expected}`,
        ),
      ];
    return [
      located(
        tree,
        "/kind",
        "kind.unexpected",
        `expected kind "${expected}", found ${JSON.stringify(toPlain(kind.value))}`,
      ),
    ];
  }

  /**
   * Checks a template on its own: its `extends`, and the schema except required fields. A template may hold
   * part of a section (a database without its engine) that every extending environment completes; each
   * environment is then checked whole, and what is still missing is reported there.
   */
  private checkTemplate(file: string): BlueprintIssue[] {
    const issues: BlueprintIssue[] = [];
    const composed = this.compose(file, [], issues);
    if (composed)
      issues.push(
        ...validateAgainstSchema("Template", toPlain(composed.tree), composed.tree).filter(
          (i) => i.code !== "schema.required",
        ),
      );
    return issues;
  }

  /** Checks any blueprint file by its kind and returns its problems (empty when valid). */
  checkFile(file: string): BlueprintIssue[] {
    const abs = path.resolve(file);
    const source = this.read(abs);
    if (!source.ok) return source.issues;
    const kind = BlueprintLoader.kindOf(source.tree as TrackedMap);
    try {
      if (kind === "Client") {
        const where = this.repository.locate(abs);
        if (where) return this.checkClient(where.client).issues;
        const data = toPlain(source.tree);
        return validateAgainstSchema("Client", data, source.tree);
      }
      if (kind === "Template") return this.checkTemplate(abs);
      if (kind === "Environment") {
        this.loadEnvironmentFile(abs);
        return [];
      }
      const data = toPlain(source.tree) as Record<string, unknown>;
      const issues = validateAgainstSchema(
        "Environment",
        { ...data, kind: data.kind ?? null },
        source.tree,
      ).filter((i) => i.pointer === "/kind" || i.pointer === "/apiVersion" || i.code === "schema.required");
      const kindIssue =
        kind === undefined && data.kind !== undefined
          ? [
              located(
                source.tree,
                "/kind",
                "schema.enum",
                `${JSON.stringify(data.kind)} is not a blueprint kind; expected one of: Client, Environment, Template`,
                didYouMean(data.kind, ["Client", "Environment", "Template"]),
              ),
            ]
          : [];
      return kindIssue.length
        ? kindIssue
        : issues.length
          ? issues
          : [located(source.tree, "", "schema.required", `missing required field "kind"`)];
    } catch (e) {
      if (e instanceof BlueprintError) return [...e.issues];
      throw e;
    }
  }
}

/**
 * Which top-level sections passed the schema, as a predicate for the semantic rules; undefined when the document
 * cannot be read at all (a problem at its root or in `metadata`, which names the client the rules need).
 */
function readableSections(
  schemaIssues: readonly BlueprintIssue[],
): ((section: Section) => boolean) | undefined {
  const broken = new Set(schemaIssues.map((i) => fromPointer(i.pointer)[0] ?? ""));
  if (broken.has("") || broken.has("metadata")) return undefined;
  return (section) => !broken.has(section);
}

/** Ensures `data[key]` (and the given sub-keys) exist as objects, so schema defaults fill them. */
function scaffold(data: Record<string, unknown>, key: string, subKeys: readonly string[] = []): void {
  if (data[key] === undefined) data[key] = {};
  const section = data[key];
  if (section && typeof section === "object" && !Array.isArray(section)) {
    for (const sub of subKeys) {
      if ((section as Record<string, unknown>)[sub] === undefined)
        (section as Record<string, unknown>)[sub] = {};
    }
  }
}

function issueAt(
  origin: SourcePosition,
  pointer: string,
  code: string,
  message: string,
  hint?: string,
): BlueprintIssue {
  return {
    file: origin.file,
    line: origin.line,
    col: origin.col,
    pointer,
    code,
    message,
    ...(hint ? { hint } : {}),
  };
}

/** Builds an issue located at the node a pointer reaches in the tree. */
function located(
  tree: Tracked,
  pointer: string,
  code: string,
  message: string,
  hint?: string,
): BlueprintIssue {
  return issueAt(lookup(tree, pointer).node.origin, pointer, code, message, hint);
}

/** The real path of `file` (symbolic links resolved), or `file` itself when it does not exist. */
function realOrSelf(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}
