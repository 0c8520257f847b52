/** The project's own client blueprints: all valid, and they mean what their authors intended. */
import { BlueprintLoader } from "../../../blueprints/lib/loader";

const loader = new BlueprintLoader();

describe("example blueprints", () => {
  const envs = loader.repository.environments();

  it("cover at least four clients with staging and production each", () => {
    const clients = new Set(envs.map((e) => e.client));
    expect(clients.size).toBeGreaterThanOrEqual(4);
    for (const client of clients) {
      expect(envs.filter((e) => e.client === client).map((e) => e.environment)).toEqual(
        expect.arrayContaining(["production", "staging"]),
      );
    }
  });

  it("are all valid, templates and client profiles included", () => {
    const problems = loader.repository.allFiles().flatMap((f) => loader.checkFile(f));
    expect(problems).toEqual([]);
  });

  it.each(envs.map((e) => [`${e.client}/${e.environment}`, e] as const))(
    "%s derives names from client, environment and key",
    (_, e) => {
      const { resolved } = loader.loadEnvironment(e.client, e.environment);
      expect(resolved.stackName).toBe(`${e.client}-${e.environment}`);
      for (const s of resolved.servers) expect(s.resourceName).toBe(`${e.client}-${e.environment}-${s.name}`);
      // Tiers follow the environment name, except those the examples set: a lab and a dev are development, and
      // orbitale's shared network serves production.
      const named: Record<string, string> = { lab: "development", dev: "development", shared: "production" };
      expect(resolved.tier).toBe(named[e.environment] ?? e.environment);
      expect(resolved.protectStateful).toBe(resolved.tier === "production");
    },
  );

  it("merges shopwave production onto staging by name (the web group keeps its image, takes the new count)", () => {
    const { resolved } = loader.loadEnvironment("shopwave", "production");
    const web = resolved.servers.find((s) => s.name === "web");
    expect(web).toMatchObject({
      flavor: "b3-16",
      count: 4,
      image: "Debian 12",
      public: false,
      region: "GRA11",
    });
    expect(resolved.servers.map((s) => s.name)).toEqual(["web", "worker"]);
    expect(resolved.databases[0].users.map((u) => u.name)).toEqual(["shop", "analytics"]);
  });

  it("keeps the financial client private-only, with a year of backups in production", () => {
    const { resolved } = loader.loadEnvironment("banque-alpine", "production");
    expect(resolved.servers.every((s) => !s.public)).toBe(true);
    expect(resolved.operations.backups.retentionDays).toBe(365);
    expect(resolved.operations.runTeamAccess.members.map((m) => m.name)).toEqual(["dora"]);
  });

  it("expands host roles into ordered steps for the media client's origin servers", () => {
    const { resolved } = loader.loadEnvironment("mediapulse", "production");
    expect(resolved.hosts.map((h) => h.name)).toEqual(["origin-1", "origin-2"]);
    expect(resolved.hosts[0].allSteps.map((s) => s.name)).toEqual([
      "baseline-packages",
      "motd",
      "nginx",
      "origin-config",
      "nginx-service",
    ]);
  });
});
