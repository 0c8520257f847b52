/**
 * The stack operations of the delivery CLI, for one environment each: deliver, preview, destroy, drift.
 * Each returns an {@link EnvResult} instead of printing, so fleets can run many at once and summarise.
 */
import { Stack, StackNotFoundError, type LocalWorkspace } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as path from "path";
import { BlueprintError, formatIssues } from "../../blueprints/lib/issues";
import type { LoadedEnvironment } from "../../blueprints/lib/loader";
import { PROJECT_ROOT } from "../../base/paths";
import { ExitCode, LockedError, UserError } from "../../base/errors";
import { processAlive } from "../../base/processes";
import { projectWorkspace, stackExists } from "../engine/workspace";
import { budgetGate, budgetFigures, recordDeliveredCost, type BudgetFigures } from "./budget";
import { ChangeCollector, countByOp, summarize, type Change } from "./changes";
import { DriftCollector, type DriftFinding, type DriftNote, type Unverifiable } from "./driftFindings";
import { whoAmI, workspaceOptions, type DeliveryContext } from "./context";
import { acquireLock, clearStaleEngineLocks, liveEngineLocks } from "./locks";
import {
  classifyEngineFailure,
  cleanEngineMessage,
  DEFAULT_RETRY,
  lockHolders,
  nextDelay,
  remoteCauses,
  type RetryPolicy,
} from "./engineErrors";
import { buildReport, writeReport } from "./report";
import { stateResources } from "./deliveryOutcome";
import { enforcePlannedPolicies } from "../plan/policies";
import { applyStackConfig, missingCredentials, stackConfigFor } from "./stackConfig";
import { checkNewHostKeys, hostKeysOf, keysFolder, type KeysFolder } from "./credentials";
import { pinsInForce, recordFirstUse } from "./hostKeys";
import { markInProgress, readInProgress, type InProgress } from "./inProgress";
import { compareInstanceBaselines, describeStaleInstances } from "./instanceBaselines";
import type { ResolvedEnvironment } from "../../blueprints/lib/model";
import { refuseDestroyingUsed, requireDeliveredDependencies } from "./dependencies";

/** The Pulumi project name (Pulumi.yaml). */
export const PROJECT_NAME = "majordome";

/** How one environment's operation ended. */
export type EnvStatus =
  "succeeded" | "failed" | "invalid" | "refused" | "locked" | "skipped" | "drift" | "in-sync";

/** The result of one operation on one environment. */
export interface EnvResult {
  readonly selector: string;
  readonly status: EnvStatus;
  readonly summary: string;
  readonly changes: readonly Change[];
  readonly seconds: number;
  readonly error?: string;
  readonly reportPath?: string;
  /** Transient failures `deliver` rode out, one line per retried pass. */
  readonly retries?: readonly string[];
  /** The monthly cost before and after the change, for the environment and its client (budget.ts). */
  readonly cost?: BudgetFigures;
  /** Drift only: each drifted item with expected and found, and the steps no check can verify. */
  readonly drift?: {
    readonly findings: readonly DriftFinding[];
    readonly notVerifiable: readonly Unverifiable[];
    /** What hosts say about themselves, shown and not compared (pending security updates). */
    readonly notes?: readonly DriftNote[];
  };
}

/** Progress callbacks. */
export interface Progress {
  /** A line about this environment (stderr). */
  line(text: string): void;
  /** Raw engine output, when the caller wants it streamed. */
  engineOutput?: (text: string) => void;
}

/** Options shared by operations. */
export interface OperationOptions {
  /** Allow deleting or replacing stateful resources. @default false */
  readonly allowDataLoss?: boolean;
  /** Destroy a production environment (requires `confirm`). */
  readonly forceProduction?: boolean;
  /** Must equal the environment selector to destroy production. */
  readonly confirm?: string;
  /** How `deliver` retries transient engine failures. @default DEFAULT_RETRY */
  readonly retry?: RetryPolicy;
  /** Deliver even when the change takes the environment or the client over budget. @default false */
  readonly allowOverBudget?: boolean;
  /**
   * Replace the OVH instances whose first-boot baseline differs from the blueprint's, so they boot with it
   * (production also needs `confirm`). @default false: such a delivery is refused
   */
  readonly rebuildInstances?: boolean;
}

/**
 * The instances `deliver` must rebuild, read from the last delivery's inventory: none when they all run the
 * blueprint's baseline; a refusal (exit 2, nothing changed) when some do not and the operator did not ask for
 * the rebuild, or asked it on production without `--confirm <selector>`.
 */
export async function instancesToRebuild(
  stack: Stack,
  env: ResolvedEnvironment,
  selector: string,
  options: OperationOptions,
  progress: Progress,
): Promise<string[]> {
  if (!env.servers.length) return [];
  const inventory = (await stack.outputs()).inventory?.value;
  const { stale, unrecorded } = compareInstanceBaselines(inventory, env);
  if (unrecorded.length)
    progress.line(
      `${selector}: ${unrecorded.map((u) => u.instance).join(", ")} were built before Majordome recorded first-boot baselines; what they run is not known (rebuild them to know)`,
    );
  if (!stale.length) return [];
  const names = stale.map((s) => s.instance);
  if (!options.rebuildInstances)
    throw new UserError(
      `${selector}: refusing to deliver: ${names.length} instance(s) run another operations baseline than the blueprint asks, and first-boot user data never reaches a running instance; nothing was changed:\n  ${describeStaleInstances(stale).join("\n  ")}`,
      "deliver again with --rebuild-instances to replace them (their local disks are lost; attached volumes are re-attached only if the data-loss gate allows), or put the blueprint's operations back",
    );
  if (env.tier === "production" && options.confirm !== selector)
    throw new UserError(
      `${selector}: --rebuild-instances would replace ${names.join(", ")} in production; nothing was changed`,
      `if you really mean it, pass --confirm ${selector} as well`,
    );
  progress.line(`${selector}: rebuilding ${names.join(", ")} with the blueprint's baseline`);
  return names;
}

function versions(ws: LocalWorkspace): Record<string, string> {
  const pkg = (name: string) => {
    try {
      return JSON.parse(
        fs.readFileSync(path.join(PROJECT_ROOT, "node_modules", name, "package.json"), "utf8"),
      ).version as string;
    } catch {
      return "unknown";
    }
  };
  return {
    majordome: JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).version,
    "pulumi CLI": ws.pulumiVersion,
    "@pulumi/pulumi": pkg("@pulumi/pulumi"),
    "@ovhcloud/pulumi-ovh": pkg("@ovhcloud/pulumi-ovh"),
    node: process.version,
  };
}

/** Opens (and optionally creates) the stack of `loaded`, with its config set and leftovers of killed runs cleared. */
async function openStack(
  ctx: DeliveryContext,
  loaded: LoadedEnvironment,
  create: boolean,
  progress: Progress,
): Promise<{ ws: LocalWorkspace; stack: Stack; keys: KeysFolder; deliveredPins: Map<string, string> }> {
  const name = loaded.resolved.stackName;
  const keys = keysFolder();
  const ws = await projectWorkspace(workspaceOptions(ctx, { MAJORDOME_HOST_KEYS_DIR: keys.dir }));
  const exists = await stackExists(ws, name);
  if (!exists && !create)
    throw new UserError(
      `${name} has never been delivered`,
      `run \`majordome deliver ${loaded.resolved.client}/${loaded.resolved.environment}\` first`,
    );
  // Before anything is created: a dependent needs its dependencies' delivered outputs.
  if (create) await requireDeliveredDependencies(ws, loaded.resolved);
  const existing = exists ? await ws.getAllConfig(name) : undefined;
  // Pins from this working copy's config, else from the delivered stack (shared by every copy and runner).
  const delivered = exists ? await ws.stackOutputs(name) : undefined;
  const pins = pinsInForce(existing, delivered);
  // Credentials come from the context (taken out of the process environment), the rest from the environment.
  let env: NodeJS.ProcessEnv = { ...process.env, ...ctx.credentials };
  if (ctx.prompt) {
    for (const m of missingCredentials(existing, loaded, env)) {
      const answer = await ctx.prompt(
        `${name}: ${m.hidden ? m.variable : `${m.variable} (path of the private key file)`}: `,
        m.hidden,
      );
      if (answer) env = { ...env, [m.variable]: answer };
    }
  }
  const config = stackConfigFor(existing, loaded, env); // throws, listing every missing credential, before any change
  // A key that cannot work is refused before it is stored; it is offered only to a host showing its pinned key.
  await checkNewHostKeys(loaded, config, pins, progress.line);
  const stack = exists ? await Stack.select(name, ws) : await Stack.create(name, ws);
  for (const removed of clearStaleEngineLocks(ctx.stateDir, PROJECT_NAME, name))
    progress.line(`${name}: removed a stale ${removed}, left by an interrupted run`);
  await waitForOrphanedEngines(ctx, name, progress);
  try {
    await clearPendingOperations(stack, progress);
  } catch (e) {
    // On a shared backend a killed delivery's engine lock is only seen here, when the state is first written.
    const locked = classifyEngineFailure(e instanceof Error ? e.message : String(e)).kind === "locked";
    if (!locked || !(await clearDeadEngineLocks(stack, e, progress))) throw e;
    await clearPendingOperations(stack, progress);
  }
  await applyStackConfig(stack, config);
  // The keys the steps use in this operation: the stack config's, as just updated (see credentials.ts).
  keys.write(loaded, new Map([...hostKeysOf(existing), ...hostKeysOf(config)]), pins);
  return { ws, stack, keys, deliveredPins: pinsInForce(undefined, delivered) };
}

/**
 * We hold Majordome's lock, so a live engine lock on this stack belongs to an engine whose delivery was killed
 * but which kept running (killing a CLI does not always kill the engine it started). Let it finish — it is
 * writing the state — rather than fight it.
 */
async function waitForOrphanedEngines(
  ctx: DeliveryContext,
  name: string,
  progress: Progress,
  timeoutMs = 15 * 60 * 1000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let said = false;
  for (;;) {
    for (const removed of clearStaleEngineLocks(ctx.stateDir, PROJECT_NAME, name))
      progress.line(`${name}: removed a stale ${removed}, left by an interrupted run`);
    const live = liveEngineLocks(ctx.stateDir, PROJECT_NAME, name);
    if (live.length === 0) return;
    if (!said) {
      progress.line(
        `${name}: an engine left running by an interrupted delivery (${live.map((l) => l.holder).join(", ")}) is still working; waiting for it to finish`,
      );
      said = true;
    }
    if (Date.now() > deadline)
      throw new LockedError(
        `${name}: the engine of an interrupted delivery (${live[0].holder}) is still running after ${timeoutMs / 60000} minutes`,
        `stop it (kill ${live[0].pid}) and deliver again`,
      );
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * After a killed run the state may list operations that were in flight. Majordome's steps are idempotent,
 * so it drops them from the state (saying which) and lets the next update redo them.
 */
async function clearPendingOperations(stack: Stack, progress: Progress): Promise<void> {
  const state = await stack.exportStack();
  const deployment = state.deployment as {
    pending_operations?: { type: string; resource: { urn: string } }[];
  };
  const pending = deployment.pending_operations ?? [];
  if (pending.length === 0) return;
  for (const op of pending)
    progress.line(
      `${stack.name}: an interrupted run left "${op.type}" of ${op.resource.urn.split("::").pop()} pending; it will be redone`,
    );
  await stack.importStack({ ...state, deployment: { ...deployment, pending_operations: [] } });
}

/** Loads the blueprint of a `client/env` selector (throws BlueprintError with every problem). */
function loadSelected(ctx: DeliveryContext, selector: string): LoadedEnvironment {
  const [client, environment] = selector.split("/");
  return ctx.loader.loadEnvironment(client, environment);
}

function failure(selector: string, started: number, e: unknown, changes: readonly Change[] = []): EnvResult {
  const seconds = (Date.now() - started) / 1000;
  if (e instanceof BlueprintError)
    return {
      selector,
      status: "invalid",
      summary: `${e.issues.length} blueprint problem(s)`,
      changes,
      seconds,
      error: formatIssues(e.issues),
    };
  if (e instanceof UserError)
    return {
      selector,
      // A UserError meant as exit 4 (a host showing another key than its pin) is a failure, not bad input.
      status: e instanceof LockedError ? "locked" : e.exitCode === ExitCode.Failed ? "failed" : "refused",
      summary: e.message.split("\n")[0],
      changes,
      seconds,
      error: e.hint ? `${e.message}\n  hint: ${e.hint}` : e.message,
    };
  const message = cleanEngineMessage(e instanceof Error ? e.message : String(e));
  const classified = classifyEngineFailure(message);
  if (classified.kind === "locked") {
    const holders = [...new Set(lockHolders(message).map((h) => h.holder))];
    // The engine's own lines name each lock object, its holder and since when.
    const lockLines = [...new Set(message.split("\n").filter((l) => /created by .+ \(pid \d+\)/.test(l)))];
    return {
      selector,
      status: "locked",
      summary: `locked by another delivery${holders.length ? `: ${holders.join(", ")}` : ""}`,
      changes,
      seconds,
      error: [
        classified.line,
        ...lockLines.map((l) => `  ${l.trim()}`),
        `  hint: wait for it to finish; if that delivery is gone for good: majordome backend unlock ${selector} --yes`,
      ].join("\n"),
    };
  }
  // The engine's own message says what failed; keep its diagnostics, drop the CLI's command-line noise.
  // The remote cause of a failed step (the last lines of its stderr) follows its failure line, without --verbose.
  const causes = remoteCauses(message);
  const relevant = message
    .split("\n")
    .flatMap((l, i) => [
      ...(/error|failed|refused|denied|timed out|host "/i.test(l) ? [l] : []),
      ...(causes.get(i) ?? []),
    ]);
  return {
    selector,
    status: "failed",
    summary: (classified.line || message.split("\n")[0]).trim().slice(0, 300),
    changes,
    seconds,
    error: [...new Set(relevant.map((l) => l.trim()))].join("\n") || message,
  };
}

/** validate → stack and config → preview → data-loss gate → up → report. */
export async function deliverOne(
  ctx: DeliveryContext,
  selector: string,
  options: OperationOptions,
  progress: Progress,
): Promise<EnvResult> {
  const started = Date.now();
  const startedAt = new Date();
  let lock: { release(): void } | undefined;
  let loaded: LoadedEnvironment | undefined;
  let ws: LocalWorkspace | undefined;
  let applied = new ChangeCollector();
  // The last pass's plan (undefined until a preview completes) and the stack: a failed delivery's report is
  // written from them and from the state (what exists), never from the blueprint's wish.
  let plan: { planned?: Change[] } = {};
  let stack: Stack | undefined;
  const retries: string[] = [];
  let previous: InProgress | undefined;
  let inProgressDone: (() => void) | undefined;
  try {
    loaded = loadSelected(ctx, selector);
    // Client policies, second stage: on the planned resources, before the engine runs.
    await enforcePlannedPolicies(loaded.resolved, ctx.loader.catalog, ctx.loader.now());
    // Before the lock and the engine: an over-budget change is refused having touched nothing.
    const cost = budgetGate(ctx, loaded, selector, options.allowOverBudget === true, progress.line);
    lock = acquireLock(
      ctx.locksDir,
      loaded.resolved.stackName,
      `majordome deliver ${selector}`,
      progress.line,
    );
    const { client, environment } = loaded.resolved;
    // We hold the lock: a marker left by an earlier delivery means it was killed before its report.
    previous = readInProgress(ctx.reportsDir, client, environment);
    if (previous)
      progress.line(
        `${selector}: the previous delivery (${previous.command}, started ${previous.startedAt} by ${previous.by}) was interrupted before writing its report; this delivery reports everything that exists`,
      );
    inProgressDone = markInProgress(ctx.reportsDir, client, environment, {
      startedAt: startedAt.toISOString(),
      by: `${whoAmI().user}@${whoAmI().host}`,
      pid: process.pid,
      command: `majordome deliver ${selector}`,
    });
    const opened = await openStack(ctx, loaded, true, progress);
    ws = opened.ws;
    stack = opened.stack;
    // For this operation only (never stored): the program replaces these instances, with their new user data.
    const rebuild = await instancesToRebuild(opened.stack, loaded.resolved, selector, options, progress);
    if (rebuild.length) ws.envVars.MAJORDOME_REBUILD_INSTANCES = rebuild.join(",");
    else delete ws.envVars.MAJORDOME_REBUILD_INSTANCES;
    const policy = options.retry ?? DEFAULT_RETRY;
    let recoveredLock = false;
    for (let attempt = 1; ; attempt++) {
      applied = new ChangeCollector();
      plan = {};
      try {
        await enginePass(opened.stack, selector, options, progress, applied, plan);
        break;
      } catch (e) {
        if (e instanceof UserError) throw e;
        const failed = classifyEngineFailure(e instanceof Error ? e.message : String(e));
        if (
          failed.kind === "locked" &&
          !recoveredLock &&
          (await clearDeadEngineLocks(opened.stack, e, progress))
        ) {
          recoveredLock = true;
          attempt--; // recovering a dead delivery's lock is not a retry of ours
          continue;
        }
        const delay = nextDelay(policy, attempt + 1, Date.now() - started, failed);
        if (delay === undefined) {
          if (failed.kind === "transient" && attempt > 1)
            progress.line(`${selector}: still failing after ${attempt} passes; giving up`);
          throw e;
        }
        retries.push(`pass ${attempt}: ${failed.reason}: ${failed.line}`);
        progress.line(
          `${selector}: transient failure (${failed.reason}: ${failed.line}); pass ${attempt + 1} of ${policy.attempts} in ${Math.round(delay / 1000)} s`,
        );
        await new Promise((r) => setTimeout(r, delay));
        await clearPendingOperations(opened.stack, progress);
      }
    }
    const outputs = await opened.stack.outputs();
    // Trust on first use: pin the host keys this delivery saw for hosts not pinned yet, and say so.
    const trusted = await recordFirstUse(
      opened.stack,
      loaded,
      outputs.inventory?.value,
      opened.deliveredPins,
    );
    for (const line of trusted) progress.line(`${selector}: ${line}`);
    const report = buildReport({
      env: loaded.resolved,
      result: "succeeded",
      startedAt,
      deliveredBy: `${whoAmI().user}@${whoAmI().host}`,
      changes: applied.changes,
      inventory: outputs.inventory?.value ?? {},
      versions: versions(ws),
      retries,
      ...(previous ? { interruptedRun: previous } : {}),
    });
    const reportPath = writeReport(ctx.reportsDir, report);
    inProgressDone();
    inProgressDone = undefined;
    recordDeliveredCost(ctx, loaded);
    return {
      selector,
      status: "succeeded",
      summary:
        report.changes.summary +
        (previous
          ? "; the previous delivery was interrupted: the report covers everything that exists"
          : "") +
        (trusted.length ? `; ${trusted.length} host key(s) trusted on first use` : ""),
      changes: applied.changes,
      seconds: (Date.now() - started) / 1000,
      reportPath,
      ...(retries.length ? { retries } : {}),
      cost,
    };
  } catch (e) {
    const failed = failure(selector, started, e, applied.changes);
    const result = retries.length ? { ...failed, retries } : failed;
    if (loaded && ws && result.status === "failed") {
      const report = buildReport({
        env: loaded.resolved,
        result: "failed",
        error: result.error,
        startedAt,
        deliveredBy: `${whoAmI().user}@${whoAmI().host}`,
        changes: applied.changes,
        inventory: {},
        failure: {
          ...(plan.planned ? { planned: plan.planned } : {}),
          existing: stack ? await existingResources(stack, selector, progress) : [],
        },
        versions: versions(ws),
        retries,
        ...(previous ? { interruptedRun: previous } : {}),
      });
      const reportPath = writeReport(ctx.reportsDir, report);
      inProgressDone?.();
      inProgressDone = undefined;
      return { ...result, reportPath };
    }
    return result;
  } finally {
    if (inProgressDone && loaded) {
      // Ended without a report (refused before any change): the marker goes, unless it told of an earlier
      // interruption that no report has covered yet.
      inProgressDone();
      if (previous)
        markInProgress(ctx.reportsDir, loaded.resolved.client, loaded.resolved.environment, previous);
    }
    lock?.release();
  }
}

/**
 * The resources the stack's state holds after a failed update (names and types only): what exists. When the
 * state cannot be read, none is claimed, and the progress says why.
 */
async function existingResources(stack: Stack, selector: string, progress: Progress) {
  try {
    return stateResources((await stack.exportStack()).deployment);
  } catch (e) {
    progress.line(
      `${selector}: the state could not be read after the failure, so the report claims nothing built: ${cleanEngineMessage(e instanceof Error ? e.message : String(e)).split("\n")[0]}`,
    );
    return [];
  }
}

/**
 * One engine pass of a delivery: preview with refresh (drift behind our back becomes part of the plan), the
 * data-loss gate, then the update. Changes applied are collected into `applied`; the plan, once the preview
 * completed, into `plan.planned`.
 */
async function enginePass(
  stack: Stack,
  selector: string,
  options: OperationOptions,
  progress: Progress,
  applied: ChangeCollector,
  plan: { planned?: Change[] },
): Promise<void> {
  const planned = new ChangeCollector();
  progress.line(`${selector}: previewing`);
  // Refresh first, so drift behind our back is part of the plan (and repaired by the update).
  await stack.preview({
    refresh: true,
    onEvent: planned.onEvent,
    color: "never",
    onOutput: progress.engineOutput,
  });
  plan.planned = planned.changes;
  const risks = planned.dataLossRisks;
  if (risks.length && !options.allowDataLoss) {
    throw new UserError(
      `${selector}: refusing to ${risks.map((r) => `${r.op} ${r.name} (${r.type.split(":").pop()})`).join(", ")}: this would lose data`,
      "review the preview; if this is intended, deliver again with --allow-data-loss",
    );
  }
  const planSummary = summarize(countByOp(planned.changes));
  progress.line(
    `${selector}: ${planSummary === "no changes" ? "no changes; confirming" : `applying: ${planSummary}`}`,
  );
  let done = 0;
  const total = planned.changes.length;
  await stack.up({
    refresh: true,
    color: "never",
    onOutput: progress.engineOutput,
    onEvent: (e) => {
      applied.onEvent(e);
      const out = e.resOutputsEvent?.metadata;
      if (
        out &&
        out.op !== "same" &&
        out.op !== "refresh" &&
        !out.type.startsWith("pulumi:") &&
        !out.type.startsWith("majordome:")
      )
        progress.line(`${selector}: ${out.op} ${out.urn.split("::").pop()} (${++done}/${total})`);
    },
  });
}

/**
 * On a shared backend (S3) the engine's lock is an object in the bucket, not a local file. When every holder it
 * names ran on this host and no longer exists, the lock is a killed delivery's leftover: clear it (`pulumi
 * cancel`) and say so. Returns true when it did.
 */
async function clearDeadEngineLocks(stack: Stack, error: unknown, progress: Progress): Promise<boolean> {
  const holders = lockHolders(error instanceof Error ? error.message : String(error));
  const me = whoAmI().host;
  if (holders.length === 0 || !holders.every((h) => h.host === me && !processAlive(h.pid))) return false;
  progress.line(
    `${stack.name}: removing the engine lock of an interrupted delivery (${holders.map((h) => h.holder).join(", ")}), which no longer runs`,
  );
  await stack.cancel();
  return true;
}

/** What a delivery would change, with data-loss risks flagged. */
export async function previewOne(
  ctx: DeliveryContext,
  selector: string,
  _options: OperationOptions,
  progress: Progress,
): Promise<EnvResult> {
  const started = Date.now();
  try {
    const loaded = loadSelected(ctx, selector);
    await enforcePlannedPolicies(loaded.resolved, ctx.loader.catalog, ctx.loader.now());
    const { stack } = await openStack(ctx, loaded, true, progress);
    const { stale } = compareInstanceBaselines((await stack.outputs()).inventory?.value, loaded.resolved);
    const planned = new ChangeCollector();
    await stack.preview({
      refresh: true,
      onEvent: planned.onEvent,
      color: "never",
      onOutput: progress.engineOutput,
    });
    const risks = planned.dataLossRisks;
    return {
      selector,
      status: risks.length || stale.length ? "refused" : "succeeded",
      summary:
        summarize(countByOp(planned.changes)) +
        (risks.length ? `; DATA-LOSS RISK: ${risks.map((r) => `${r.op} ${r.name}`).join(", ")}` : "") +
        (stale.length
          ? `; deliver refuses until --rebuild-instances: ${describeStaleInstances(stale).join("; ")}`
          : ""),
      changes: planned.changes,
      seconds: (Date.now() - started) / 1000,
      cost: budgetFigures(ctx, loaded),
    };
  } catch (e) {
    return failure(selector, started, e);
  }
}

/** Destroys an environment; production needs --force-production and --confirm <selector>. */
export async function destroyOne(
  ctx: DeliveryContext,
  selector: string,
  options: OperationOptions,
  progress: Progress,
): Promise<EnvResult> {
  const started = Date.now();
  let lock: { release(): void } | undefined;
  try {
    const loaded = loadSelected(ctx, selector);
    if (loaded.resolved.protectStateful && !(options.forceProduction && options.confirm === selector)) {
      throw new UserError(
        `${selector} is a production environment with protected data; refusing to destroy it`,
        `if you really mean it, pass both --force-production and --confirm ${selector}`,
      );
    }
    lock = acquireLock(
      ctx.locksDir,
      loaded.resolved.stackName,
      `majordome destroy ${selector}`,
      progress.line,
    );
    const { ws, stack } = await openStack(ctx, loaded, false, progress);
    // Environments still using this one (its network, its outputs) go first.
    await refuseDestroyingUsed(ws, ctx.loader, selector);
    // The gate reads what was delivered, not only today's file: an environment delivered as production stays
    // production for destroy until a delivery with another tier has succeeded (its inventory says so).
    const deliveredTier = ((await stack.outputs()).inventory?.value as { tier?: unknown } | undefined)?.tier;
    const production = loaded.resolved.protectStateful || deliveredTier === "production";
    if (production && !(options.forceProduction && options.confirm === selector))
      throw new UserError(
        `${selector} was delivered as a production environment (the blueprint now says "${loaded.resolved.tier}", but no delivery with that tier has succeeded); refusing to destroy it`,
        `deliver it with its new tier first, or pass both --force-production and --confirm ${selector}`,
      );
    const collector = new ChangeCollector();
    if (production) {
      progress.line(`${selector}: releasing protection of stateful resources before destroying`);
      // In the state, not through an update of the program: an update would re-create what a destroy that
      // failed halfway had already deleted. Editing the flags creates nothing.
      const released = await releaseProtection(stack);
      if (released) progress.line(`${selector}: protection released on ${released} resource(s)`);
    }
    progress.line(`${selector}: destroying`);
    await stack.destroy({ color: "never", onEvent: collector.onEvent, onOutput: progress.engineOutput });
    recordDestroyed(ctx.reportsDir, loaded.resolved.client, loaded.resolved.environment);
    return {
      selector,
      status: "succeeded",
      summary: summarize(countByOp(collector.changes), "done"),
      changes: collector.changes,
      seconds: (Date.now() - started) / 1000,
    };
  } catch (e) {
    if (e instanceof StackNotFoundError)
      return { selector, status: "refused", summary: "never delivered", changes: [], seconds: 0 };
    return failure(selector, started, e);
  } finally {
    lock?.release();
  }
}

/** Sets `protect: false` on every resource of the stack's state; returns how many were protected. */
async function releaseProtection(stack: Stack): Promise<number> {
  const state = await stack.exportStack();
  const deployment = state.deployment as { resources?: { protect?: boolean }[] };
  const protectedOnes = (deployment.resources ?? []).filter((r) => r.protect);
  if (protectedOnes.length === 0) return 0;
  for (const r of protectedOnes) r.protect = false;
  await stack.importStack(state);
  return protectedOnes.length;
}

/** Records that the environment was destroyed, so `status` stops showing it as delivered. */
function recordDestroyed(reportsDir: string, client: string, environment: string): void {
  const dir = path.join(reportsDir, client, environment);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "destroyed.json"),
    JSON.stringify(
      { destroyedAt: new Date().toISOString(), by: `${whoAmI().user}@${whoAmI().host}` },
      null,
      2,
    ) + "\n",
  );
}

/** Refresh in preview mode: what differs between the state and reality. */
export async function driftOne(
  ctx: DeliveryContext,
  selector: string,
  _options: OperationOptions,
  progress: Progress,
): Promise<EnvResult> {
  const started = Date.now();
  try {
    const loaded = loadSelected(ctx, selector);
    const { stack } = await openStack(ctx, loaded, false, progress);
    const collector = new ChangeCollector();
    const found = new DriftCollector();
    const result = await stack.previewRefresh({
      color: "never",
      onEvent: (e) => {
        collector.onEvent(e);
        found.onEvent(e);
      },
      onOutput: progress.engineOutput,
    });
    // A step whose refresh changed only what it observed (facts for the report) has not drifted: its notes say
    // what changed, and the next delivery records it.
    const observedOnly = new Set(found.observationOnly);
    const factsOnly = collector.changes.filter((c) => observedOnly.has(c.urn));
    const counts: Record<string, number | undefined> = { ...(result.changeSummary ?? {}) };
    if (factsOnly.length) {
      counts.update = Math.max(0, (counts.update ?? 0) - factsOnly.length);
      counts.same = (counts.same ?? 0) + factsOnly.length;
    }
    // OVH instances running another first-boot baseline than the blueprint asks (the engine cannot see it:
    // user data is `ignoreChanges`): each differing setting is a finding, with what was built as "found".
    const { stale } = compareInstanceBaselines((await stack.outputs()).inventory?.value, loaded.resolved);
    const instanceFindings: DriftFinding[] = stale.flatMap((s) =>
      s.differences.map((d) => ({
        resource: s.instance,
        host: s.instance,
        step: "first boot",
        item: d.setting,
        expected: d.expected,
        found: d.found,
      })),
    );
    const drifted = Object.entries(counts).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
    if (stale.length) drifted.push(["rebuild (first-boot baseline)", stale.length]);
    const findings = [...found.findings, ...instanceFindings];
    // Each drifted resource names the items that differ (the engine itself gives no property diff on refresh).
    const changes = collector.changes
      .filter((c) => !observedOnly.has(c.urn))
      .map((c) => ({
        ...c,
        diffs: c.diffs.length ? c.diffs : findings.filter((f) => f.resource === c.name).map((f) => f.item),
      }));
    const notVerifiable = found.unverifiable.filter((u) => u.step !== "connect");
    const status: EnvStatus = drifted.length ? "drift" : "in-sync";
    const summary = drifted.length
      ? `drift: ${drifted.map(([op, n]) => `${n} ${op}`).join(", ")}${changes.length ? ` (${changes.map((c) => c.name).join(", ")})` : ""}`
      : "in sync";
    const dir = path.join(ctx.reportsDir, loaded.resolved.client, loaded.resolved.environment);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "drift.json"),
      JSON.stringify(
        {
          checkedAt: new Date().toISOString(),
          status,
          counts,
          changes,
          findings,
          notVerifiable,
          notes: found.notes,
        },
        null,
        2,
      ) + "\n",
    );
    return {
      selector,
      status,
      summary,
      changes,
      seconds: (Date.now() - started) / 1000,
      drift: { findings, notVerifiable, notes: found.notes },
    };
  } catch (e) {
    return failure(selector, started, e);
  }
}
