// Lint rules are enforced by `npm test` (see tools/test-all.sh).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** A lint block that forbids files matching `files` to import from the top-level folders `forbidden`. */
function layer(files, forbidden) {
  return [
    {
      files: [files.replace(/\*\*$/, "**/*.ts")],
      rules: {
        "no-restricted-imports": [
          "error",
          {
            patterns: forbidden.map((folder) => ({
              group: [`**/${folder}/**`, `**/${folder}`],
              message: `${files.split("/")[0]}/ may not import from ${folder}/ (layers point one way; see docs/contributing.md)`,
            })),
          },
        ],
      },
    },
  ];
}

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "coverage/", ".majordome/", "jest.config.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain CommonJS scripts (bin/, runners) run directly under Node.
    files: ["**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
        process: "readonly",
        console: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  // Layers point one way (docs/contributing.md): base ← blueprints, components ← stacks ← scripts ← tools/tests;
  // the emulator stands apart. A wrong-way import fails `npm test`.
  ...layer("base/**", ["blueprints", "components", "stacks", "scripts", "tools", "emulator", "tests"]),
  ...layer("blueprints/**", ["components", "stacks", "scripts", "tools", "emulator", "tests"]),
  ...layer("components/**", ["blueprints", "stacks", "scripts", "tools", "emulator", "tests"]),
  ...layer("stacks/**", ["scripts", "tools", "emulator", "tests"]),
  ...layer("scripts/**", ["tools", "tests"]),
  ...layer("tools/**", ["tests"]),
  ...layer("emulator/**", ["base", "blueprints", "components", "stacks", "scripts", "tools", "tests"]),
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
);
