import type { DrillState } from './SayItAgain';
import type { PanelStore } from '../../panel/panel-store';

/** Where a "Say it again" of this target stands: its recording, its judging, or its last result. */
export function drillOf(store: PanelStore, targetId: string): DrillState {
  if (store.practice.value?.id === targetId) {
    const phase = store.phase.value;
    if (phase === 'recording') return { status: 'recording' };
    if (phase === 'preparing' || phase === 'stopping' || phase === 'transcribing') return { status: 'transcribing' };
  }
  const result = store.attempts.value[targetId];
  return result
    ? { status: 'done', said: result.said, comparison: result.comparison, pronunciation: result.pronunciation }
    : { status: 'idle' };
}

/** Another attempt or a learner turn is using the microphone: this target's button waits. */
export function drillBlocked(store: PanelStore, targetId: string): boolean {
  const practising = store.practice.value;
  if (practising) return practising.id !== targetId;
  return ['preparing', 'listening', 'recording', 'stopping', 'transcribing'].includes(store.phase.value);
}
