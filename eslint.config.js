import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['.output/', '.wxt/', 'node_modules/', 'coverage/', '.cache/'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      // Type-aware rules: a promise nobody awaits or handles is an error the learner never sees.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      'no-console': ['error', { allow: ['warn', 'error', 'info'] }],
      eqeqeq: ['error', 'always'],
    },
  },
  // The layout is checked, not remembered (docs/ARCHITECTURE.md, "Where code goes"): the companion (GPL, Node)
  // and the extension (MIT, browser) meet only in common/; the recording document never loads panel code.
  {
    files: ['companion-server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(@/|(\\.\\./)+(core|features|panel|offscreen|entrypoints)/)',
              message: 'The companion shares code with the extension only through common/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['{common,core,features,panel,offscreen,entrypoints}/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: 'companion-server/',
              message: 'The extension shares code with the companion only through common/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['offscreen/**/*.ts', 'core/**/*.ts', 'common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^@/|/)(features|panel)/',
              // A feature's types (a stored record's shape) may be named; its code is never loaded.
              allowTypeImports: true,
              message: 'The recording document and the shared core never load the panel or a feature.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(@/|\\.\\./)',
              message: 'common/ is used by the extension and the companion alike: it imports neither.',
            },
          ],
        },
      ],
    },
  },
  // Plain JavaScript (the eSpeak worker, this file) has no types to check against.
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
