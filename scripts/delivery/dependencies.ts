/**
 * Deliveries between environments that depend on each other (`metadata.dependsOn`, `network.from`, `imports`):
 * a dependent runs only once every dependency has delivered outputs to read, and an environment others still
 * use is not destroyed under them. Both are refused (exit 2) before anything is created or deleted.
 */
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { UserError } from "../../base/errors";
import type { BlueprintLoader } from "../../blueprints/lib/loader";
import type { ResolvedEnvironment } from "../../blueprints/lib/model";
import { stackExists } from "../engine/workspace";

/** The stack of `client/env`. */
const stackOf = (selector: string) => selector.replace("/", "-");

/** Why `env` depends on `dep`, for messages. */
function becauseOf(env: ResolvedEnvironment, dep: string): string {
  const reasons = [
    env.sharedNetwork?.from === dep ? "uses its network" : undefined,
    Object.values(env.imports).some((i) => i.from === dep) ? "imports its outputs" : undefined,
  ].filter((x) => x !== undefined);
  return reasons.length ? reasons.join(" and ") : "depends on it (metadata.dependsOn)";
}

/**
 * Refuses to run `env`'s program while a dependency has no delivered outputs: its stack references would fail
 * in the engine with `unknown stack …` after part of the work, where this says what to do first.
 */
export async function requireDeliveredDependencies(
  ws: LocalWorkspace,
  env: ResolvedEnvironment,
): Promise<void> {
  const self = `${env.client}/${env.environment}`;
  for (const dep of env.dependsOn) {
    const stack = stackOf(dep);
    const exists = await stackExists(ws, stack);
    if (exists && Object.keys(await ws.stackOutputs(stack)).length > 0) continue;
    throw new UserError(
      `deliver ${dep} first: ${self} ${becauseOf(env, dep)}, and ${dep} ${exists ? "has no delivered outputs (destroyed, or never delivered to the end)" : "has never been delivered"}`,
      `majordome deliver ${dep}, then ${self} (a fleet delivery of both runs them in that order)`,
    );
  }
}

/**
 * Refuses to destroy `selector` while environments that use it still stand: those of its client whose
 * blueprint depends on it, and those whose delivered inventory says they read it (a dependent whose blueprint
 * no longer says so, or cannot be read, still uses what it was delivered with).
 */
export async function refuseDestroyingUsed(
  ws: LocalWorkspace,
  loader: BlueprintLoader,
  selector: string,
): Promise<void> {
  const [client] = selector.split("/");
  const dependents = new Set<string>();
  for (const e of loader.repository.environments(client)) {
    const other = `${e.client}/${e.environment}`;
    if (other === selector) continue;
    let byBlueprint = false;
    try {
      byBlueprint = loader.loadEnvironment(e.client, e.environment).resolved.dependsOn.includes(selector);
    } catch {
      // An invalid blueprint says nothing reliable; its delivered inventory is read below.
    }
    const stack = stackOf(other);
    if (!(await stackExists(ws, stack))) continue;
    const outputs = await ws.stackOutputs(stack);
    const inventory = outputs.inventory?.value as { dependencies?: Record<string, unknown> } | undefined;
    const byDelivery = Object.hasOwn(inventory?.dependencies ?? {}, selector);
    if ((byBlueprint || byDelivery) && Object.keys(outputs).length > 0) dependents.add(other);
  }
  if (dependents.size === 0) return;
  const list = [...dependents].sort();
  throw new UserError(
    `${selector} is used by ${list.join(", ")}: destroy ${list.length === 1 ? "it" : "them"} first`,
    `majordome destroy ${[...list, selector].join(" ")} (a fleet destroys dependents before what they use)`,
  );
}
