/** Jest projects: `unit` is fast (mocks, pure logic); `integration` drives the real engine and real servers. */
const tsJest = ["ts-jest", { tsconfig: "tsconfig.json", isolatedModules: false }];
module.exports = {
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/tests/unit/**/*.test.ts"],
      // Some unit tests run a whole program under mocks; on a loaded 2-core CI runner 5 s is not enough.
      testTimeout: 30_000,
    },
    {
      displayName: "integration",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/tests/integration/**/*.test.ts"],
    },
  ],
};
