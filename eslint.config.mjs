// Few rules, each catching a real class of bug: unused variables (dead code), floating promises
// (an un-awaited tensor op or file write that fails silently), `any` (types are the documentation
// students read). Formatting is prettier's job, not eslint's.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      // The generated starter: a TODO's inputs are unused until the student writes it.
      'assignments/**',
      '**/*.nb.ts',
      '**/*.js',
      '**/*.mjs',
      '.cache/**',
      'grading-out/**',
      'demo-out/**',
      'examples/submissions/**',
    ],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Tests poke at loosely typed JSON replies; \`any\` there documents nothing a student reads.
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
