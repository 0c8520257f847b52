/** Jest projects: `unit` is fast (mocks, pure logic); `integration` drives the real engine and real servers. */
const tsJest = ["ts-jest", { tsconfig: "tsconfig.json", isolatedModules: false }];
module.exports = {
  // Some unit tests run a whole program under mocks; on a loaded 2-core CI runner 5 s is not enough. (A global
  // option: set inside a project it is ignored, which let a plan test time out at 5 s. Integration files set
  // their own with jest.setTimeout.)
  testTimeout: 30_000,
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/tests/unit/**/*.test.ts"],
    },
    {
      displayName: "integration",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/tests/integration/**/*.test.ts"],
    },
  ],
};
