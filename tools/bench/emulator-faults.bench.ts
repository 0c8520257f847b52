/**
 * Benchmark (issue 11): every conversation fixture replayed against the emulator with 0%, 5% and 10% of requests
 * answered with a transient fault (seeded; half 500, half 429 with Retry-After: 1), by a client that retries them
 * like a careful provider (bounded exponential backoff, Retry-After honoured). The 0% row is the baseline of the
 * same run. Reports requests sent, retries, time spent waiting, and wall time (median of the runs).
 */
import * as path from "path";
import { replayClient, type ClientStats } from "../../emulator/replay/client";
import { loadConversations } from "../../emulator/replay/fixture";
import { replayConversation } from "../../emulator/replay/replay";
import { startEmulator } from "../../emulator/server";
import { median, printTable } from "./stats";

const SN = "0123456789abcdef0123456789abcdef";
const RATES = [0, 0.05, 0.1];
const RUNS = 3;
const SEED = 2026;

/** One pass over every conversation at a fault rate; returns what the client did and the wall time. */
async function pass(rate: number): Promise<ClientStats & { wallMs: number; steps: number }> {
  const conversations = loadConversations(path.resolve("tests", "fixtures", "conversations"));
  const total = { requests: 0, retries: 0, waitedMs: 0, wallMs: 0, steps: 0 };
  const start = process.hrtime.bigint();
  for (const { conversation } of conversations) {
    const emu = await startEmulator({
      zones: conversation.zones ?? ["example.com"],
      faults: { seed: SEED, rules: [{ errorRate: rate / 2, rateLimitRate: rate / 2, retryAfterSeconds: 1 }] },
      log: () => undefined,
    });
    const client = replayClient(emu.endpoint, emu.credentials);
    try {
      const result = await replayConversation(conversation, client, { vars: { sn: SN } });
      total.steps += result.steps;
      total.requests += client.stats.requests;
      total.retries += client.stats.retries;
      total.waitedMs += client.stats.waitedMs;
    } finally {
      client.close();
      await emu.close();
    }
  }
  total.wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  return total;
}

async function main() {
  await pass(0); // warm-up
  const rows: (string | number)[][] = [];
  let baseline = 0;
  for (const rate of RATES) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await pass(rate));
    const wall = median(runs.map((r) => r.wallMs));
    if (rate === 0) baseline = wall;
    const r = runs[0]; // seeded: every run sends the same requests
    rows.push([
      `${Math.round(rate * 100)}%`,
      r.steps,
      r.requests,
      r.retries,
      (r.waitedMs / 1000).toFixed(1),
      wall.toFixed(0),
      rate === 0 ? "1.00×" : `${(wall / baseline).toFixed(2)}×`,
    ]);
  }
  printTable(
    [
      "faults (seeded)",
      "steps",
      "requests sent",
      "retries",
      "waited s (backoff + Retry-After)",
      "wall ms (median)",
      "vs 0%",
    ],
    rows,
  );
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
