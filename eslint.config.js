// Type-aware lint for the server, tests, benchmarks and console scripts; zero warnings allowed.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  // scratch/: a developer's own, git-ignored experiments.
  { ignores: ["node_modules/", "server/generated/", "agent-ui/dist/", "dist/", "var/", "scratch/", "**/*.svelte"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  {
    files: ["agent-ui/src/**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: false, project: null },
      globals: { ...globals.browser },
    },
    ...tseslint.configs.disableTypeChecked,
  },
);
