/**
 * `majordome backend init|unlock`: team state on a shared backend (an S3-compatible bucket). Registration only;
 * the work (scripts/delivery/backend.ts) is loaded when a command runs.
 */
import type { Command } from "commander";
import { ExitCode } from "../../../base/errors";
import type { Io } from "../../../base/io";

/** Registers `majordome backend init` and `majordome backend unlock`. */
export function registerBackendCommands(
  program: Command,
  io: Io,
  setExit: (code: number) => void,
  common: () => { blueprints?: string },
): void {
  const backend = program
    .command("backend")
    .description("team state on a shared backend (S3-compatible bucket): check it, clear a stale lock");

  backend
    .command("init")
    .description("check a backend URL with the credentials in the environment; print what a team exports")
    .argument(
      "<url>",
      "e.g. s3://<bucket>?endpoint=https://s3.gra.io.cloud.ovh.net&region=gra&use_path_style=true",
    )
    .option("--json", "print as JSON")
    .action(async (url: string, o: { json?: boolean }) => {
      const { backendInit, exportLines, redactBackendUrl } = await import("../../delivery/backend");
      const result = await backendInit(url);
      if (o.json) io.out(JSON.stringify(result, null, 2));
      else {
        io.err(
          `backend ${redactBackendUrl(url)} is reachable and writable; ${result.stacks.length} stack(s) in it${
            result.stacks.length ? `: ${result.stacks.join(", ")}` : ""
          }`,
        );
        io.err("every engineer and pipeline delivering these clients exports:");
        io.out(exportLines(result.environment));
        io.err("(a KMS instead of a passphrase: see docs/team-state.md)");
      }
      setExit(ExitCode.Ok);
    });

  backend
    .command("unlock")
    .description("remove the engine's lock of an environment left by a killed delivery (pulumi cancel)")
    .argument("<environment>", "<client>/<environment>")
    .option("--yes", "really remove it (only once the holder named in the refusal is gone)")
    .action(async (selector: string, o: { yes?: boolean }) => {
      const { backendUnlock } = await import("../../delivery/backend");
      const { deliveryContext } = await import("../../delivery/context");
      const ctx = deliveryContext({ ...common(), isolated: process.env.MAJORDOME_ISOLATED === "1" }, io);
      setExit(await backendUnlock(ctx, selector, o.yes ?? false, io));
    });
}
