/**
 * RemoteStep's provider against a scripted SSH server (ssh2 mocked): state records what the host printed
 * after applying, never what was expected, and a step whose check does not hold right after applying fails
 * with expected and found.
 */
import { remoteStepProvider, SETTLE } from "../../../components/host/remoteStep";

/** The scripted host: answers each script run on it. */
let mockHost: (script: string) => { stdout?: string; code?: number } = () => ({});

jest.mock("ssh2", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { EventEmitter: Emitter } = require("events") as typeof import("events");
  class Client extends Emitter {
    connect(opts: { hostVerifier?: (key: Buffer) => boolean }) {
      setImmediate(() => {
        opts.hostVerifier?.(Buffer.from("test host key"));
        this.emit("ready");
      });
    }
    exec(_command: string, cb: (err: Error | undefined, stream: unknown) => void) {
      const stream = Object.assign(new Emitter(), {
        stderr: new Emitter(),
        end: (script: string) => {
          const answer = mockHost(script);
          setImmediate(() => {
            if (answer.stdout) stream.emit("data", Buffer.from(answer.stdout));
            stream.emit("close", answer.code ?? 0);
          });
        },
      });
      cb(undefined, stream);
    }
    end() {}
  }
  return { Client };
});

const MARKER = "--- majordome: observed ---";

/** A host where CREATE starts a service; CHECK prints its state (and a fact), OBSERVE the port. */
class FakeHost {
  running = false;
  creates = 0;
  /** When false, CREATE "succeeds" without starting the service (a step that does not hold). */
  startWorks = true;
  answer = (script: string) => {
    if (script === "CREATE") {
      this.creates++;
      if (this.startWorks) this.running = true;
      return {};
    }
    if (script.startsWith("CHECK")) {
      const check = `service agent: ${this.running ? "running" : "stopped"}\npending (info): 3\n`;
      const observe = script.includes("OBSERVE")
        ? `listening: ${this.running ? "*:9100" : "not listening"}\n`
        : "";
      return { stdout: `${check}${MARKER}\n${observe}` };
    }
    throw new Error(`unexpected script ${script}`);
  };
}

const inputs = (observe?: string) => ({
  hostName: "origin",
  stepName: "operations",
  connection: { host: "127.0.0.1", port: 2222, user: "root", privateKey: "KEY" },
  create: "CREATE",
  delete: "",
  verify: { script: "CHECK", expected: "service agent: running" },
  ...(observe ? { observe } : {}),
});

let host: FakeHost;
beforeEach(() => {
  host = new FakeHost();
  mockHost = host.answer;
});

describe("RemoteStep provider", () => {
  it("stores what the host printed after applying (its check and its observations), not what was expected", async () => {
    const { outs } = await remoteStepProvider.create!(inputs("OBSERVE"));
    expect(outs.fingerprint).toBe("service agent: running\npending (info): 3");
    expect(outs.observed).toEqual({ listening: "*:9100" });
  });

  it("fails a step that ran but does not hold, naming each item with expected and found", async () => {
    host.startWorks = false;
    SETTLE.delayMs = 1; // it looks again SETTLE.attempts times before failing; no need to wait here
    await expect(remoteStepProvider.create!(inputs("OBSERVE"))).rejects.toThrow(
      'host "origin": step "operations" ran but the host does not hold it:\n  service agent: expected running, found stopped',
    );
  });

  it("a fact line (info) is never a difference: no change, no re-run", async () => {
    const { outs } = await remoteStepProvider.create!(inputs("OBSERVE"));
    const diff = await remoteStepProvider.diff!("origin/operations", outs, inputs("OBSERVE"));
    expect(diff.changes).toBe(false);
  });

  it("refresh reads the host; a drifted host is re-applied and observed again on update", async () => {
    const { outs } = await remoteStepProvider.create!(inputs("OBSERVE"));
    host.running = false; // tampered behind our back
    const read = await remoteStepProvider.read!("origin/operations", outs);
    expect(read.props.fingerprint).toBe("service agent: stopped\npending (info): 3");
    expect(read.props.observed).toEqual({ listening: "not listening" });
    expect((await remoteStepProvider.diff!("origin/operations", read.props, inputs("OBSERVE"))).changes).toBe(
      true,
    );
    const updated = await remoteStepProvider.update!("origin/operations", read.props, inputs("OBSERVE"));
    expect(host.creates).toBe(2);
    expect(updated.outs.fingerprint).toBe("service agent: running\npending (info): 3");
    expect(updated.outs.observed).toEqual({ listening: "*:9100" });
  });

  it("a state from before observations is observed by an update that does not re-run the step", async () => {
    const { outs } = await remoteStepProvider.create!(inputs());
    expect(outs.observed).toBeUndefined();
    expect((await remoteStepProvider.diff!("origin/operations", outs, inputs("OBSERVE"))).changes).toBe(true);
    const updated = await remoteStepProvider.update!("origin/operations", outs, inputs("OBSERVE"));
    expect(host.creates).toBe(1);
    expect(updated.outs.observed).toEqual({ listening: "*:9100" });
  });
});
