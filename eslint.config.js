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
  // Plain JavaScript (the eSpeak worker, this file) has no types to check against.
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
