/**
 * Replays a conversation against an emulator: substitutes captured ids into paths and bodies, polls the way the
 * provider does (pending states wait, target states finish, anything else is the provider's "unexpected state"
 * error), and checks every answer against the fixture.
 */
import type { OvhReplayClient, Answer } from "./client";
import type { Conversation, Step } from "./fixture";
import { ABSENT, at, mismatch } from "./match";

/** A conversation that did not go as the provider expects. */
export class ConversationError extends Error {}

/** Options of {@link replayConversation}. */
export interface ReplayOptions {
  /** Variables known before the first step (at least `sn`). */
  readonly vars: Readonly<Record<string, unknown>>;
  /** Wait between polls (ms). @default 20 */
  readonly pollIntervalMs?: number;
}

/** What a replay did. */
export interface ReplayResult {
  readonly steps: number;
  readonly polls: number;
  readonly vars: Record<string, unknown>;
}

const VAR = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

function lookup(vars: Record<string, unknown>, name: string, where: string): unknown {
  if (!Object.hasOwn(vars, name))
    throw new ConversationError(`${where}: variable {${name}} was never captured`);
  return vars[name];
}

/** Substitutes variables into a path (each value URL-escaped, as the provider's url.PathEscape does). */
export function fillPath(template: string, vars: Record<string, unknown>, where: string): string {
  return template.replace(VAR, (_, name: string) => encodeURIComponent(String(lookup(vars, name, where))));
}

/** Substitutes variables into a body: a whole `"{var}"` keeps the value's type, `{var}` inside text is text. */
export function fillBody(body: unknown, vars: Record<string, unknown>, where: string): unknown {
  if (typeof body === "string") {
    const whole = /^\{([A-Za-z][A-Za-z0-9_]*)\}$/.exec(body);
    if (whole) return lookup(vars, whole[1], where);
    return body.replace(VAR, (_, name: string) => String(lookup(vars, name, where)));
  }
  if (Array.isArray(body)) return body.map((b) => fillBody(b, vars, where));
  if (typeof body === "object" && body !== null)
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, fillBody(v, vars, where)]));
  return body;
}

function stateOf(step: Step, answer: Answer, where: string): string {
  const poll = step.poll as NonNullable<Step["poll"]>;
  if (answer.status === 404 && poll.on404 !== undefined) return poll.on404;
  if (answer.status === 200 && poll.on200 !== undefined) return poll.on200;
  if (answer.status === 200 && poll.field !== undefined) {
    const value = at(answer.body, poll.field);
    return value === ABSENT || value === null ? "null" : String(value);
  }
  throw new ConversationError(`${where}: polling got HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
}

/** Replays `conversation`; throws {@link ConversationError} at the first answer the provider would reject. */
export async function replayConversation(
  conversation: Conversation,
  client: OvhReplayClient,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const vars: Record<string, unknown> = { ...options.vars };
  let polls = 0;
  for (const step of conversation.steps) {
    const where = `${conversation.kind} · ${step.name} (${step.method} ${step.path})`;
    const path = fillPath(step.path, vars, where);
    const body = step.body === undefined ? undefined : fillBody(step.body, vars, where);
    let answer = await client.call(step.method, path, body);
    if (step.poll) {
      for (let n = 1; ; n++) {
        const state = stateOf(step, answer, where);
        if (step.poll.target.includes(state)) break;
        if (!step.poll.pending.includes(state))
          throw new ConversationError(
            `${where}: unexpected state '${state}', wanted target '${step.poll.target.join(", ")}'`,
          );
        if (n >= (step.poll.maxPolls ?? 50))
          throw new ConversationError(`${where}: still '${state}' after ${n} polls`);
        await new Promise((r) => setTimeout(r, options.pollIntervalMs ?? 20));
        polls++;
        answer = await client.call(step.method, path, body);
      }
    }
    const status = step.status ?? 200;
    if (answer.status !== status)
      throw new ConversationError(
        `${where}: HTTP ${answer.status}, expected ${status}: ${JSON.stringify(answer.body)}`,
      );
    for (const [field, check] of Object.entries(step.expect ?? {})) {
      const why = mismatch(fillBody(check, vars, where), at(answer.body, fillPath(field, vars, where)));
      if (why) throw new ConversationError(`${where}: [${field}] ${why}`);
    }
    for (const [name, field] of Object.entries(step.capture ?? {})) {
      const value = at(answer.body, fillPath(field, vars, where));
      if (value === ABSENT) throw new ConversationError(`${where}: cannot capture {${name}} from [${field}]`);
      vars[name] = value;
    }
  }
  return { steps: conversation.steps.length, polls, vars };
}
