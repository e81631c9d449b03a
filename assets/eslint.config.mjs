// ESLint for the browser code under web/ (make lint). The vendored
// libraries under web/vendor are npm's, not ours.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["web/vendor/**", "node_modules/**"] },
  js.configs.recommended,
  {
    files: ["web/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    rules: {
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
      eqeqeq: ["error", "always"],
      "no-var": "error",
      "prefer-const": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "no-restricted-properties": ["error",
        { property: "innerHTML", message: "Build DOM with el(): data goes in as text." },
        { property: "outerHTML", message: "Build DOM with el(): data goes in as text." },
        { property: "insertAdjacentHTML", message: "Build DOM with el(): data goes in as text." },
      ],
      "no-restricted-globals": ["error", "event", "name", "length", "status"],
    },
  },
  {
    // The service worker is a classic script in the worker's scope.
    files: ["web/sw.js"],
    languageOptions: { sourceType: "script", globals: { ...globals.serviceworker } },
  },
];
