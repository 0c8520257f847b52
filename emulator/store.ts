/**
 * The emulator's state: objects by kind and id, and operations. Kept in memory and written to a JSON file after
 * every change (atomically), so what one command delivered still exists for the next.
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
}

/** A stored object: the fields the API returns, plus `_meta`. */
export type StoredObject = Record<string, unknown> & { _meta: Meta };

/** What is persisted. */
export interface EmulatorState {
  version: 1;
  objects: Record<string, Record<string, StoredObject>>;
  counters: Record<string, number>;
}

/** The state, with persistence. */
export class Store {
  state: EmulatorState;

  constructor(private readonly file?: string) {
    this.state =
      file && fs.existsSync(file)
        ? (JSON.parse(fs.readFileSync(file, "utf8")) as EmulatorState)
        : Store.empty();
  }

  static empty(): EmulatorState {
    return { version: 1, objects: {}, counters: {} };
  }

  /** Writes the state file (temp file + rename, so a crash never leaves half a file). */
  save(): void {
    if (!this.file) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.state, null, 1));
    fs.renameSync(tmp, this.file);
  }

  reset(): void {
    this.state = Store.empty();
    this.save();
  }

  /** All objects of a kind. */
  all(kind: string): StoredObject[] {
    return Object.values(this.state.objects[kind] ?? {});
  }

  get(kind: string, id: string): StoredObject | undefined {
    return this.state.objects[kind]?.[id];
  }

  put(kind: string, id: string, obj: StoredObject): StoredObject {
    (this.state.objects[kind] ??= {})[id] = obj;
    return obj;
  }

  remove(kind: string, id: string): void {
    delete this.state.objects[kind]?.[id];
  }

  /** A fresh UUID. */
  uuid(): string {
    return randomUUID();
  }

  /** The next integer of a sequence (cloud users, DNS records, vRack tasks have integer ids). */
  next(sequence: string, start = 1000): number {
    this.state.counters[sequence] = (this.state.counters[sequence] ?? start) + 1;
    return this.state.counters[sequence];
  }

  /** Every object, for inspection, without `_meta` but with its kind. */
  inventory(): { kind: string; id: string; object: Record<string, unknown> }[] {
    return Object.entries(this.state.objects).flatMap(([kind, byId]) =>
      Object.entries(byId).map(([id, o]) => {
        const { _meta, ...object } = o;
        void _meta;
        return { kind, id, object };
      }),
    );
  }
}

/** An object without its bookkeeping, as the API returns it. */
export function publicView(o: StoredObject): Record<string, unknown> {
  const { _meta, ...rest } = o;
  void _meta;
  return rest;
}
