import { useEffect, useRef } from 'preact/hooks';
import { t } from '@/core/i18n';
import { PROFILE_FACT_KINDS, type ProfileFactKind } from '@/core/db/schema';
import { MAX_FACT_LENGTH } from './profile';
import { factKindLabel } from './labels';

export interface FactDraft {
  kind: ProfileFactKind;
  text: string;
}

/** A fact's kind and words, as the learner may change them (the proposal card, the view's Edit). */
export function FactFields({
  id,
  draft,
  onChange,
  focusText = false,
}: {
  id: string;
  draft: FactDraft;
  onChange(next: FactDraft): void;
  /** Edit was just pressed: the words take the focus, so a keyboard user types at once. */
  focusText?: boolean;
}) {
  const text = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (focusText) text.current?.focus();
  }, [focusText]);
  return (
    <div class="memory-fact-fields">
      <label for={`${id}-kind`}>{t('memory.kindLabel')}</label>
      <select
        id={`${id}-kind`}
        value={draft.kind}
        onChange={(e) => onChange({ ...draft, kind: e.currentTarget.value as ProfileFactKind })}
      >
        {PROFILE_FACT_KINDS.map((kind) => (
          <option key={kind} value={kind}>
            {factKindLabel(kind)}
          </option>
        ))}
      </select>
      <label for={`${id}-text`}>{t('memory.textLabel')}</label>
      <input
        ref={text}
        id={`${id}-text`}
        type="text"
        maxLength={MAX_FACT_LENGTH}
        value={draft.text}
        onInput={(e) => onChange({ ...draft, text: e.currentTarget.value })}
      />
    </div>
  );
}
