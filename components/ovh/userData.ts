/**
 * The operations baseline as cloud-init user data for an instance's first boot: the shared rendering of
 * components/baseline, wrapped as a `#!/bin/sh` script, plus the environment's own user data.
 */
import {
  BASELINE_MARKER,
  baselineSummary,
  renderBaseline,
  type OperationsBaseline,
} from "../baseline/operationsBaseline";

export {
  baselineSummary,
  onCalendar,
  readBaselineMarker,
  type OperationsBaseline,
  type RunTeamAccount,
} from "../baseline/operationsBaseline";

/**
 * Renders the baseline (plus optional extra shell) as a cloud-init `#!/bin/sh` script. Its second line records
 * the baseline's summary: user data is kept in the instance's state for its whole life (it is `ignoreChanges`),
 * so this line is what says, later, which baseline the instance was built with.
 */
export function renderUserData(baseline: OperationsBaseline, extra?: string): string {
  const lines = [
    "#!/bin/sh",
    `${BASELINE_MARKER}${JSON.stringify(baselineSummary(baseline))}`,
    "# Majordome operations baseline (first boot). Day-2 changes go through Majordome, not this script.",
    "set -eu",
    ...renderBaseline(baseline),
  ];
  if (extra) lines.push("# --- environment user data ---", extra);
  return lines.join("\n") + "\n";
}
