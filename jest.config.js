/** Jest projects: `unit` is fast (mocks, pure logic); `integration` drives the real engine and real servers. */
const tsJest = ["ts-jest", { tsconfig: "tsconfig.json", isolatedModules: false }];
module.exports = {
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
