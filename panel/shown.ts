import { t } from '@/core/i18n';
import { errorText, type BannerStore } from './banner';

/** Wraps an action so that its failure is shown in the banner (and logged); the wrapped action never rejects. */
export type Shown = <A extends unknown[]>(
  what: () => string,
  action: (...args: A) => Promise<void>,
) => (...args: A) => Promise<void>;

/** The panel's store and the feature actions it composes wrap each learner action in this. */
export function createShown(banner: BannerStore): Shown {
  return (what, action) =>
    async (...args) => {
      try {
        await action(...args);
      } catch (error) {
        console.error(`AITalk: could not ${what()}`, error);
        banner.showError(new Error(t('app.actionFailed', { action: what(), detail: errorText(error) })));
      }
    };
}
