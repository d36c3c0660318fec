// Lint TypeScript sources with the recommended typescript-eslint rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/.output/**', 'node_modules/**', 'test-output/**', '.cache/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-namespace': 'off',
    },
  },
  {
    // The platform seam: outside remote-agent/src/backend/, the agent asks a Backend (backend/backend.ts)
    // and never reaches into backend/linux or /proc itself (backend/platform.ts picks the backend).
    files: ['remote-agent/src/**/*.ts'],
    ignores: ['remote-agent/src/backend/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/backend/linux', '**/backend/linux/**'], message: 'platform code stays behind the Backend interface (backend/backend.ts); get it from backend/platform.ts' }] }],
      'no-restricted-syntax': ['error',
        { selector: 'Literal[value=/^\\/proc(\\/|$)/]', message: '/proc is Linux: read host facts through Backend.host (backend/linux implements it)' },
        { selector: 'TemplateElement[value.raw=/^\\/proc(\\/|$)/]', message: '/proc is Linux: read host facts through Backend.host (backend/linux implements it)' }],
    },
  },
);
