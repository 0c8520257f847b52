#!/usr/bin/env bash
# The main job on a local default, from a fresh clone:
#   npm run demo           set up what is missing, start a local demo host, and deliver mediapulse/lab to it
#   npm run demo -- stop   destroy the demo environment and stop the demo host
# Everything stays on this machine: state and reports in .majordome/, the host on 127.0.0.1:2222 (or on
# MAJORDOME_DEMO_PORT).
set -euo pipefail
cd "$(dirname "$0")/.."
export PULUMI_SKIP_UPDATE_CHECK=true
say() { printf '\n== %s\n' "$*" >&2; }

# The lab blueprint names port 2222; on another port (MAJORDOME_DEMO_PORT) the demo delivers a copy of the
# blueprints whose lab host points there.
port="${MAJORDOME_DEMO_PORT:-2222}"
if [ "$port" != 2222 ]; then
  rm -rf .majordome/demo-blueprints && mkdir -p .majordome && cp -r blueprints .majordome/demo-blueprints
  sed -i "s/port: 2222/port: $port/" .majordome/demo-blueprints/clients/mediapulse/lab.yaml
  export MAJORDOME_BLUEPRINTS="$PWD/.majordome/demo-blueprints"
fi

if [ "${1:-}" = stop ]; then
  status=0
  if [ -f .majordome/demo-host/host.json ]; then
    export MAJORDOME_HOST_KEY_FILE_LAB_KEY=.majordome/demo-host/id_ed25519
    if ! node bin/majordome.js destroy mediapulse/lab; then
      echo "error: destroying mediapulse/lab failed (see above); the demo host is stopped anyway, its state kept in .majordome/state" >&2
      status=4
    fi
  fi
  node dist/tools/testhost/demoHost.js stop
  exit $status
fi

say "set-up (npm packages, build, Pulumi engine, demo host image; each step is skipped when already done)"
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run -s build
bash tools/test-setup.sh

say "start the demo host: an OpenSSH server on 127.0.0.1:$port in a throwaway Debian root"
key=$(node dist/tools/testhost/demoHost.js start)
export MAJORDOME_HOST_KEY_FILE_LAB_KEY="$key"

say "validate every blueprint"
node bin/majordome.js validate

say "plan mediapulse/lab (offline: what the blueprint means)"
node bin/majordome.js plan mediapulse/lab

say "deliver mediapulse/lab through the real engine"
node bin/majordome.js deliver mediapulse/lab

report=.majordome/reports/mediapulse/lab/latest.md
say "done"
cat >&2 <<EOT
The environment is delivered and stays in place. Next:
  - read the handover report:   $report
  - see the fleet:              npx majordome status
  - change something on the host behind Majordome's back, then:
                                MAJORDOME_HOST_KEY_FILE_LAB_KEY=$key npx majordome drift mediapulse/lab
  - deliver again (no change):  MAJORDOME_HOST_KEY_FILE_LAB_KEY=$key npx majordome deliver mediapulse/lab
  - remove it all:              npm run demo -- stop
EOT
