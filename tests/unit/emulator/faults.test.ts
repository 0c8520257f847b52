/** Fault configurations are checked whole, and route patterns compile once, safely, or are refused clearly. */
import { FaultConfigError, Faults, parseFaultConfig } from "../../../emulator/faults";
import { compileRoutePattern, PatternError } from "../../../emulator/routePattern";

describe("route patterns", () => {
  it.each([
    "POST .*/instance$",
    "^(GET|POST) /1\\.0/cloud/project/[0-9a-f]+/kube",
    "(?:PUT|DELETE) .*/volume/[^/]+$",
  ])("accepts %s", (pattern) => expect(compileRoutePattern(pattern)).toBeInstanceOf(RegExp));

  it.each([
    ["(", /not a valid regular expression/],
    ["", /1 to 200 characters/],
    ["x".repeat(201), /1 to 200 characters/],
    ["(a+)+$", /repeat a group that itself repeats/],
    ["(a|aa)*b", /repeat a group that itself repeats/],
    ["(?:.*)*", /repeat a group that itself repeats/],
    ["(a)\\1", /backreferences/],
    ["(?=a)b", /lookarounds/],
    [".*a.*b.*c.*d.*e", /at most 4 unbounded/],
  ])("refuses %j", (pattern, message) => {
    expect(() => compileRoutePattern(pattern)).toThrow(PatternError);
    expect(() => compileRoutePattern(pattern)).toThrow(message);
  });

  it("refuses a non-string", () => expect(() => compileRoutePattern(42)).toThrow(/must be a string/));
});

describe("fault configuration", () => {
  it.each([
    [null, /JSON object/],
    [{ rules: "x" }, /\[rules\] must be a list/],
    [{ rules: [], extra: 1 }, /unknown key \[extra\]/],
    [{ seed: -1, rules: [] }, /\[seed\]/],
    [{ rules: [{ errorRate: 2 }] }, /rules\[0\]\.errorRate must be a probability/],
    [{ rules: [{ latencyMs: 1e9 }] }, /rules\[0\]\.latencyMs must be a whole number/],
    [{ rules: [{ constructor: 1 }] }, /rules\[0\]\.constructor is not a fault setting/],
    [{ rules: [{ route: "(" }] }, /rules\[0\]: \[route\] is not a valid regular expression/],
  ])("refuses %j", (config, message) => {
    expect(() => parseFaultConfig(config)).toThrow(FaultConfigError);
    expect(() => parseFaultConfig(config)).toThrow(message);
  });

  it("keeps the configuration in force when a new one is refused", () => {
    const faults = new Faults({ rules: [{ route: "^GET ", errorRate: 1 }] });
    expect(() => faults.set({ rules: [{ route: "(" }] })).toThrow(FaultConfigError);
    expect(faults.decide("GET", "/1.0/x").error).toEqual({ status: 500 });
    expect(faults.decide("POST", "/1.0/x").error).toBeUndefined();
  });

  it("draws the same decisions from the same seed", () => {
    const draw = () => {
      const f = new Faults({ seed: 5, rules: [{ errorRate: 0.3, rateLimitRate: 0.3 }] });
      return Array.from(
        { length: 50 },
        () => f.decide("GET", "/1.0/cloud/project/x/kube").error?.status ?? 0,
      );
    };
    const first = draw();
    expect(draw()).toEqual(first);
    expect(new Set(first)).toEqual(new Set([0, 500, 429]));
  });
});
