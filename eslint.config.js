import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

const noElectron = {
  paths: [{ name: 'electron', message: 'electron may only be imported in app/main and app/preload.' }],
  patterns: [
    { group: ['electron/*'], message: 'electron may only be imported in app/main and app/preload.' },
  ],
};

export default ts.config(
  { ignores: ['node_modules', 'out', 'dist', 'test-results', 'playwright-report', 'tests/fixtures'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='openExternal']",
          message: 'Use safeOpenExternal() from app/main/external.ts.',
        },
        {
          selector: "MemberExpression[computed=true][property.value='openExternal']",
          message: 'Use safeOpenExternal() from app/main/external.ts.',
        },
        {
          selector: "ObjectPattern > Property[key.name='openExternal']",
          message: 'Use safeOpenExternal() from app/main/external.ts.',
        },
        {
          selector: "Property[key.name='webSecurity'][value.value=false]",
          message: 'webSecurity must never be disabled.',
        },
        {
          selector: "Property[key.value='webSecurity'][value.value=false]",
          message: 'webSecurity must never be disabled.',
        },
        {
          selector: "Property[key.name='allowRunningInsecureContent'][value.value=true]",
          message: 'allowRunningInsecureContent must never be enabled.',
        },
        {
          selector: "Property[key.value='allowRunningInsecureContent'][value.value=true]",
          message: 'allowRunningInsecureContent must never be enabled.',
        },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        parser: ts.parser,
        svelteConfig,
      },
    },
  },
  {
    files: ['app/core/**', 'tests/unit/**', 'tests/e2e/**', 'bin/**', 'scripts/**'],
    rules: { 'no-restricted-imports': ['error', noElectron] },
  },
  {
    files: ['app/main/external.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['app/shared/**'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noElectron.paths,
          patterns: [
            ...noElectron.patterns,
            { regex: '^node:', message: 'app/shared is pure TypeScript: no node: imports.' },
            {
              group: ['fs', 'path', 'os', 'child_process', 'url', 'crypto', 'http', 'util'],
              message: 'app/shared is pure TypeScript: no Node built-ins.',
            },
            {
              group: ['**/core/**', '**/main/**', '**/preload/**', '**/renderer/**'],
              message: 'app/shared imports nothing outside app/shared.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noElectron.paths,
          patterns: [
            ...noElectron.patterns,
            { regex: '^node:', message: 'The renderer runs in a sandbox: no node: imports.' },
            {
              group: ['**/app/core/**', '**/app/main/**', '**/app/preload/**'],
              message: 'The renderer may import only app/shared from app/.',
            },
          ],
        },
      ],
    },
  },
);
