/**
 * The operations baseline as cloud-init user data for an instance's first boot: the shared rendering of
 * components/baseline, wrapped as a `#!/bin/sh` script, plus the environment's own user data.
 */
import { renderBaseline, type OperationsBaseline } from "../baseline/operationsBaseline";

export { onCalendar, type OperationsBaseline, type RunTeamAccount } from "../baseline/operationsBaseline";

/** Renders the baseline (plus optional extra shell) as a cloud-init `#!/bin/sh` script. */
export function renderUserData(baseline: OperationsBaseline, extra?: string): string {
  const lines = [
    "#!/bin/sh",
    "# Majordome operations baseline (first boot). Day-2 changes go through Majordome, not this script.",
    "set -eu",
    ...renderBaseline(baseline),
  ];
  if (extra) lines.push("# --- environment user data ---", extra);
  return lines.join("\n") + "\n";
}
