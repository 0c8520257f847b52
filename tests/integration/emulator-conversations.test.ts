/**
 * Conversation tests (issue 11): for every OVH resource kind the components use, the request sequence the
 * official provider sends (tests/fixtures/conversations/*.json, written from reference/ovh-api.md) is replayed
 * against a real emulator on loopback, and every answer is checked for the statuses and fields the provider reads.
 * Each conversation runs with instant asynchronous work and with a delay (so pending states and polling are
 * exercised), and under seeded transient faults with a retrying client; afterwards nothing is left behind and no
 * request hit a route the emulator does not serve.
 */
import * as path from "path";
import { startEmulator, type Emulator } from "../../emulator/server";
import { replayClient } from "../../emulator/replay/client";
import { loadConversations, type Conversation } from "../../emulator/replay/fixture";
import { ConversationError, replayConversation } from "../../emulator/replay/replay";

jest.setTimeout(60_000);
const SN = "0123456789abcdef0123456789abcdef";
const conversations = loadConversations(path.join(__dirname, "..", "fixtures", "conversations"));

/** Objects still live (not operations, and not deletions under way that the provider does not wait for). */
function leftovers(emu: Emulator) {
  return emu.store
    .inventory()
    .filter((o) => o.kind !== "operation" && emu.store.get(o.kind, o.id)?._meta.deleteAt === undefined);
}

async function replay(conversation: Conversation, options: { delayMs: number; faultRate?: number }) {
  const log: string[] = [];
  const emu: Emulator = await startEmulator({
    delayMs: options.delayMs,
    zones: conversation.zones ?? ["example.com"],
    log: (line) => log.push(line),
    ...(options.faultRate
      ? {
          faults: {
            seed: 11,
            rules: [
              {
                errorRate: options.faultRate / 2,
                rateLimitRate: options.faultRate / 2,
                retryAfterSeconds: 0,
              },
            ],
          },
        }
      : {}),
  });
  const client = replayClient(emu.endpoint, emu.credentials, { baseDelayMs: 1, maxAttempts: 10 });
  try {
    const result = await replayConversation(conversation, client, {
      vars: { sn: SN },
      pollIntervalMs: Math.max(5, options.delayMs / 4),
    });
    return { result, client, emu, log, left: leftovers(emu) };
  } finally {
    client.close();
    await emu.close();
  }
}

describe("conversation fixtures", () => {
  it("cover every resource kind the OVH components use", () => {
    const kinds = conversations.map((c) => c.conversation.kind);
    for (const kind of [
      "ovh.CloudProjectSshKey",
      "ovh.cloudproject.NetworkPrivate",
      "ovh.cloudproject.NetworkPrivateSubnet",
      "ovh.cloudproject.NetworkPrivateSubnetV2",
      "ovh.cloudproject.Gateway",
      "ovh.cloudproject.Instance",
      "ovh.cloudproject.Volume",
      "ovh.cloudproject.WorkflowBackup",
      "ovh.cloudproject.LoadBalancer",
      "ovh.domain.ZoneRecord",
      "ovh.cloudproject.Database",
      "ovh.cloudprojectdatabase.DatabaseInstance",
      "ovh.cloudprojectdatabase.User",
      "ovh.cloudprojectdatabase.PostgresSqlUser",
      "ovh.cloudproject.Kube",
      "ovh.cloudproject.KubeNodePool",
      "ovh.cloudproject.User",
      "ovh.cloudproject.S3Credential",
      "ovh.cloudproject.S3Policy",
      "ovh.cloudproject.Storage",
      "ovh.CloudProjectStorageObjectBucketLifecycleConfiguration",
    ])
      expect(kinds).toContain(kind);
  });
});

describe.each(conversations.map((c) => [c.conversation.kind, c.conversation] as const))(
  "the provider's conversation for %s",
  (_kind, conversation) => {
    it("is answered as the provider expects, with instant work, leaving nothing behind", async () => {
      const { left, log, result } = await replay(conversation, { delayMs: 0 });
      expect(result.steps).toBe(conversation.steps.length);
      expect(left).toEqual([]);
      expect(log).toEqual([]);
    });

    it("is answered as the provider expects while work takes time (pending states, polling)", async () => {
      const { left, log } = await replay(conversation, { delayMs: 40 });
      expect(log).toEqual([]);
      expect(left).toEqual([]);
    });

    it("survives 10% seeded transient faults with a retrying client", async () => {
      const { result, client } = await replay(conversation, { delayMs: 0, faultRate: 0.1 });
      expect(result.steps).toBe(conversation.steps.length);
      expect(client.stats.requests).toBeGreaterThanOrEqual(conversation.steps.length);
    });
  },
);

describe("the replay itself", () => {
  const volume = conversations.find((c) => c.conversation.kind === "ovh.cloudproject.Volume")?.conversation;

  it("fails on an answer the provider would reject (a changed expectation)", async () => {
    const wrong: Conversation = {
      ...(volume as Conversation),
      steps: (volume as Conversation).steps.map((s) =>
        s.name === "read" ? { ...s, expect: { ...s.expect, size: 11 } } : s,
      ),
    };
    await expect(replay(wrong, { delayMs: 0 })).rejects.toThrow(ConversationError);
    await expect(replay(wrong, { delayMs: 0 })).rejects.toThrow(/\[size\] expected 11, got 10/);
  });

  it("fails like the provider on a state outside pending and target", async () => {
    const wrong: Conversation = {
      kind: "test",
      reference: "test",
      steps: [
        {
          name: "create",
          method: "POST",
          path: "/cloud/project/{sn}/kube",
          body: { region: "GRA11" },
          capture: { id: "id" },
        },
        {
          name: "poll",
          method: "GET",
          path: "/cloud/project/{sn}/kube/{id}",
          poll: { field: "status", pending: ["CREATING"], target: ["ACTIVE"] },
        },
      ],
    };
    await expect(replay(wrong, { delayMs: 0 })).rejects.toThrow(
      /unexpected state 'READY', wanted target 'ACTIVE'/,
    );
  });
});
