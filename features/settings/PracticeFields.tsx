import type { Signal } from '@preact/signals';
import { LOCALE_NAMES, LOCALES, t, type InterfaceLanguage } from '@/core/i18n';
import type { Settings } from '@/features/settings/settings';
import {
  LEVELS,
  SCENARIOS,
  TEACHER_STYLES,
  type Level,
  type Scenario,
  type TeacherStyle,
} from '@/features/talk/teacher-prompt';

/** "Interface language": the browser's, or English / 简体中文 (each named in its own language). */
export function LanguageSwitch({
  draft,
  onChange,
  id = 'interface-language',
}: {
  draft: Signal<Settings>;
  /** Applied at once (the guided start), or left to Save (Settings). */
  onChange?(patch: Partial<Settings>): void;
  id?: string;
}) {
  return (
    <div class="language-switch">
      <label for={id}>{t('settings.interfaceLanguage')}</label>
      <select
        id={id}
        value={draft.value.interfaceLanguage}
        onChange={(e) => {
          const interfaceLanguage = e.currentTarget.value as InterfaceLanguage;
          draft.value = { ...draft.value, interfaceLanguage };
          onChange?.({ interfaceLanguage });
        }}
      >
        <option value="browser">{t('settings.languageBrowser')}</option>
        {LOCALES.map((locale) => (
          <option key={locale} value={locale} lang={locale.replace('_', '-')}>
            {LOCALE_NAMES[locale]}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Level and Scenario (and the learner's own topic): what shapes the teacher. */
export function PracticeFields({ draft, idPrefix = '' }: { draft: Signal<Settings>; idPrefix?: string }) {
  const s = draft.value;
  return (
    <>
      <label for={`${idPrefix}level`}>{t('settings.level')}</label>
      <select
        id={`${idPrefix}level`}
        value={s.level}
        onChange={(e) => (draft.value = { ...draft.value, level: e.currentTarget.value as Level })}
      >
        {LEVELS.map((level) => (
          <option key={level} value={level}>
            {t(`level.${level}`)}
          </option>
        ))}
      </select>
      <label for={`${idPrefix}scenario`}>{t('settings.scenario')}</label>
      <select
        id={`${idPrefix}scenario`}
        value={s.scenario}
        onChange={(e) => (draft.value = { ...draft.value, scenario: e.currentTarget.value as Scenario })}
      >
        {SCENARIOS.map((scenario) => (
          <option key={scenario} value={scenario}>
            {t(`scenario.${scenario}`)}
          </option>
        ))}
      </select>
      {s.scenario === 'own' && (
        <>
          <label for={`${idPrefix}own-topic`}>{t('settings.ownTopic')}</label>
          <input
            id={`${idPrefix}own-topic`}
            value={s.ownTopic}
            aria-describedby={`${idPrefix}own-topic-help`}
            onInput={(e) => (draft.value = { ...draft.value, ownTopic: e.currentTarget.value })}
          />
          <p id={`${idPrefix}own-topic-help`} class="help">
            {t('settings.ownTopicHelp')}
          </p>
        </>
      )}
    </>
  );
}

/** Which teacher: shaped by level and scenario, the original strict one, or the learner's own words. */
export function TeacherFields({ draft }: { draft: Signal<Settings> }) {
  const s = draft.value;
  return (
    <>
      <label for="teacher-style">{t('settings.teacherStyle')}</label>
      <select
        id="teacher-style"
        value={s.teacherStyle}
        aria-describedby="teacher-style-help"
        onChange={(e) => (draft.value = { ...draft.value, teacherStyle: e.currentTarget.value as TeacherStyle })}
      >
        {TEACHER_STYLES.map((style) => (
          <option key={style} value={style}>
            {t(`teacherPreset.${style}`)}
          </option>
        ))}
      </select>
      <p id="teacher-style-help" class="help">
        {t('settings.teacherStyleHelp')}
      </p>
      {s.teacherStyle === 'custom' && (
        <>
          <label for="teacher-instructions">{t('settings.teacherInstructions')}</label>
          <textarea
            id="teacher-instructions"
            rows={8}
            value={s.teacherInstructions}
            onInput={(e) => (draft.value = { ...draft.value, teacherInstructions: e.currentTarget.value })}
          />
        </>
      )}
    </>
  );
}
