// ESLint 9 flat config (issue 12). `npm run lint` runs it with --max-warnings 0, then `prettier --check .`.
// Formatting is Prettier's (.prettierrc); eslint-config-prettier, last, turns off every rule that would disagree with it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import react from 'eslint-plugin-react';
import reactHooks from 'eslint-plugin-react-hooks';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TS = ['**/*.ts', '**/*.tsx'];
// Runs in the browser: the plugin's admin panel and the playground's admin customisation. Everything else runs on Node.
const BROWSER = ['admin/**', 'playground/src/admin/**', 'playground/public/**/*.js'];
// Runs in a mini program (WeChat's JavaScript runtime, or uni-app / Taro): neither Node nor a browser.
const MINIPROGRAM = ['client/src/**', 'examples/miniprogram/**'];
// The example mini program's own tooling (构建 npm from the command line) runs on Node.
const MINIPROGRAM_TOOLING = ['examples/miniprogram/scripts/**'];
// Shipped code: what the plugin's users run.
const SHIPPED = ['server/**', 'admin/**', 'simulator/**', 'client/src/**', 'strapi-server.ts'];
const unusedVars = { argsIgnorePattern: '^_', ignoreRestSiblings: true };

export default defineConfig([
  globalIgnores([
    'dist/',
    'coverage/',
    '.tmp/',
    'bench/results/',
    'playground/.tmp/',
    'playground/build/',
    'playground/.cache/',
    'playground/dist/',
    'playground/.strapi/',
    'playground/types/generated/',
    'client/miniprogram_dist/',
    '**/miniprogram_npm/',
  ]),

  // A disable comment that no longer suppresses anything is an error, so none outlives its reason.
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },

  js.configs.recommended,
  { ignores: [...BROWSER, ...MINIPROGRAM], languageOptions: { globals: globals.node } },
  { files: MINIPROGRAM_TOOLING, languageOptions: { globals: globals.node } },

  // Plain JavaScript (bench/, playground/scripts/, scripts/, tests/helpers/*.js, jest.config.js, strapi-server.js) is
  // CommonJS, and in no tsconfig: it gets the syntax rules only, no type information.
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { 'no-unused-vars': ['error', unusedVars] },
  },

  // TypeScript, with type information (the tsconfig.json nearest each file; about 20 s for the whole tree on 2 cores).
  {
    files: TS,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // The playground's admin file is in no tsconfig of the playground (Strapi builds it with its own settings):
        // it gets the root tsconfig.json's options, which is how `npm run typecheck` checks it too.
        projectService: { allowDefaultProject: ['playground/src/admin/*.tsx'], defaultProject: 'tsconfig.json' },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', unusedVars],
      // `async` without `await` is how a function meets a Promise-returning contract (Strapi's destroy, registerTrads,
      // the memory counter store's hit, jest's globalSetup); rewriting those as Promise.resolve(...) helps nobody.
      '@typescript-eslint/require-await': 'off',
    },
  },

  // The admin entry and the Strapi 5 page are typed against Strapi 5's packages: they are linted with the project that
  // type-checks them, tests/strapi5/app/tsconfig.plugin-admin.json (admin/src/v5/tsconfig.json only builds them; the
  // admin entry is in no project near it, as admin/tsconfig.json leaves it out).
  {
    files: ['admin/src/index.tsx', 'admin/src/v5/**'],
    languageOptions: {
      parserOptions: { projectService: false, project: './tests/strapi5/app/tsconfig.plugin-admin.json', tsconfigRootDir: import.meta.dirname },
    },
  },

  // Tests read JSON response bodies and Strapi entities, which are `any` by their libraries' types: the no-unsafe-*
  // rules would ask for a cast on nearly every assertion. They stay on for the shipped code and the playground.
  {
    files: ['tests/**'],
    languageOptions: { globals: globals.jest },
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },

  // The server logs through strapi.log (levels, the app's transports); the admin and the simulator print nothing.
  { files: SHIPPED, rules: { 'no-console': 'error' } },

  {
    files: BROWSER,
    extends: [react.configs.flat.recommended, react.configs.flat['jsx-runtime'], reactHooks.configs.flat.recommended],
    // Browser globals; that no Node API slips in is admin/tsconfig.json's job (no @types/node there).
    languageOptions: { globals: globals.browser },
    settings: { react: { version: '18.3' } },
    rules: {
      // TypeScript types the props.
      'react/prop-types': 'off',
      // Hooks hand out bound functions typed as methods (react-intl's formatMessage, useNotification's toggleNotification...):
      // destructuring them is how they are meant to be used.
      '@typescript-eslint/unbound-method': 'off',
    },
  },

  // The example mini program: CommonJS with the mini program's globals. (The client's TypeScript declares what it uses;
  // client/tsconfig.json has neither DOM nor Node types.)
  {
    files: ['examples/miniprogram/**/*.js'],
    ignores: MINIPROGRAM_TOOLING,
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        ...globals.commonjs,
        wx: 'readonly',
        App: 'readonly',
        Page: 'readonly',
        Component: 'readonly',
        getApp: 'readonly',
        getCurrentPages: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },

  prettier,
]);
