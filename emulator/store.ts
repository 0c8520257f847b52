/**
 * The emulator's state: objects by kind and id, and sequence counters. Kept in memory in `Map`s — ids and kinds
 * come from requests, and a `Map` has no inherited keys, so `__proto__` or `constructor` are just missing ids —
 * and written to a JSON file after every change (atomically), so what one command delivered still exists for the
 * next.
 */
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Lifecycle bookkeeping the API never shows. */
export interface Meta {
  readonly kind: string;
  readonly createdAt: number;
  /** When the object reaches its ready status. */
  readyAt: number;
  /** When a deletion completes (the object answers 404 after it). */
  deleteAt?: number;
  /** Set when a fault made its asynchronous work fail. */
  failed?: boolean;
  /** The status shown until `readyAt` when it is not the creation one (e.g. `UPDATING` after an update). */
  pending?: string;
}

/** A stored object: the fields the API returns, plus `_meta`. */
export type StoredObject = Record<string, unknown> & { _meta: Meta };

/** What is persisted (the file format; version 1). */
export interface EmulatorState {
  version: 1;
  objects: Record<string, Record<string, StoredObject>>;
  counters: Record<string, number>;
}

/** The state, with persistence. */
export class Store {
  private objects = new Map<string, Map<string, StoredObject>>();
  private counters = new Map<string, number>();

  constructor(private readonly file?: string) {
    if (file && fs.existsSync(file)) this.load(JSON.parse(fs.readFileSync(file, "utf8")) as EmulatorState);
  }

  /** An empty state, in the file format. */
  static empty(): EmulatorState {
    return { version: 1, objects: {}, counters: {} };
  }

  private load(state: EmulatorState): void {
    // JSON.parse makes every key an own property (even "__proto__"), so Object.entries sees exactly the file.
    for (const [kind, byId] of Object.entries(state.objects ?? {}))
      this.objects.set(kind, new Map(Object.entries(byId)));
    for (const [name, value] of Object.entries(state.counters ?? {})) this.counters.set(name, value);
  }

  /** The state in the file format (Object.fromEntries defines own properties, never setters). */
  snapshot(): EmulatorState {
    return {
      version: 1,
      objects: Object.fromEntries([...this.objects].map(([kind, byId]) => [kind, Object.fromEntries(byId)])),
      counters: Object.fromEntries(this.counters),
    };
  }

  /** Writes the state file (temp file + rename, so a crash never leaves half a file). */
  save(): void {
    if (!this.file) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.snapshot(), null, 1));
    fs.renameSync(tmp, this.file);
  }

  /** Empties everything, on disk too. */
  reset(): void {
    this.objects.clear();
    this.counters.clear();
    this.save();
  }

  /** All objects of a kind. */
  all(kind: string): StoredObject[] {
    return [...(this.objects.get(kind)?.values() ?? [])];
  }

  /** One object, or undefined (also for ids such as `__proto__`: maps have no inherited keys). */
  get(kind: string, id: string): StoredObject | undefined {
    return this.objects.get(kind)?.get(id);
  }

  /** Stores `obj` under `kind`/`id`. */
  put(kind: string, id: string, obj: StoredObject): StoredObject {
    let byId = this.objects.get(kind);
    if (!byId) this.objects.set(kind, (byId = new Map()));
    byId.set(id, obj);
    return obj;
  }

  /** Removes an object (nothing happens when it does not exist). */
  remove(kind: string, id: string): void {
    const byId = this.objects.get(kind);
    byId?.delete(id);
    if (byId?.size === 0) this.objects.delete(kind); // an empty kind is the same state as no kind
  }

  /** A fresh UUID. */
  uuid(): string {
    return randomUUID();
  }

  /** The next integer of a sequence (cloud users, DNS records, vRack tasks have integer ids). */
  next(sequence: string, start = 1000): number {
    const value = (this.counters.get(sequence) ?? start) + 1;
    this.counters.set(sequence, value);
    return value;
  }

  /** Every object, for inspection, without `_meta` but with its kind. */
  inventory(): { kind: string; id: string; object: Record<string, unknown> }[] {
    return [...this.objects].flatMap(([kind, byId]) =>
      [...byId].map(([id, o]) => ({ kind, id, object: publicView(o) })),
    );
  }
}

/** An object without its bookkeeping, as the API returns it. */
export function publicView(o: StoredObject): Record<string, unknown> {
  const { _meta, ...rest } = o;
  void _meta;
  return rest;
}
