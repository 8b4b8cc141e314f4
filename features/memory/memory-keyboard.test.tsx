import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProfileFact } from '@/core/db/schema';
import { MemoryView } from './MemoryView';
import { ProposalCard, type ProposalCardProps } from './ProposalCard';

const FACTS: ProfileFact[] = [
  { id: 'f1', kind: 'job', text: 'Works as a nurse', createdAt: 1, conversationId: 'c1' },
  { id: 'f2', kind: 'event', text: 'Has a job interview on Friday', createdAt: 2, conversationId: 'c1' },
];

const PROPOSAL: ProposalCardProps['proposal'] = {
  conversationId: 'c1',
  facts: [{ key: 'k1', kind: 'event', text: 'Has a job interview on Friday' }],
};

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function view(onEdit = vi.fn(), onForget = vi.fn()) {
  render(
    <MemoryView
      enabled
      facts={FACTS}
      recurring={[]}
      sounds={[]}
      level="B1"
      onEdit={onEdit}
      onDelete={vi.fn()}
      onForget={onForget}
    />,
  );
}

describe('What your teacher remembers, by keyboard', () => {
  it('Escape in a fact being edited leaves it unchanged and gives the focus back to its Edit button', () => {
    const onEdit = vi.fn();
    view(onEdit);
    fireEvent.click(screen.getByRole('button', { name: 'Edit “Has a job interview on Friday”' }));
    fireEvent.input(screen.getByLabelText('What to remember'), { target: { value: 'Something else' } });
    fireEvent.keyDown(screen.getByLabelText('What to remember'), { key: 'Escape' });
    expect(screen.queryByLabelText('What to remember')).toBeNull();
    expect(onEdit).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Edit “Has a job interview on Friday”' }));
  });

  it('Save and Cancel give the focus back to the Edit button too', () => {
    view();
    const edit = () => screen.getByRole('button', { name: 'Edit “Works as a nurse”' });
    fireEvent.click(edit());
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(document.activeElement).toBe(edit());
    fireEvent.click(edit());
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(document.activeElement).toBe(edit());
  });

  it('Escape in the Forget everything question answers no and gives the focus back to the button', () => {
    const onForget = vi.fn();
    view(vi.fn(), onForget);
    fireEvent.click(screen.getByRole('button', { name: 'Forget everything' }));
    fireEvent.keyDown(screen.getByRole('button', { name: 'Cancel' }), { key: 'Escape' });
    expect(screen.queryByRole('button', { name: 'Yes, forget everything' })).toBeNull();
    expect(onForget).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Forget everything' }));
  });
});

describe('the proposal card, by keyboard', () => {
  function page(onClose: () => void, shown: boolean) {
    return (
      <div>
        <button type="button">New conversation</button>
        <button type="button" class="talk-button">
          Talk
        </button>
        {shown && <ProposalCard proposal={PROPOSAL} onKeep={vi.fn()} onDiscard={vi.fn()} onClose={onClose} />}
      </div>
    );
  }

  it('Escape is Not now, and the focus goes back to the button that ended the conversation', () => {
    vi.useFakeTimers();
    const onClose = vi.fn();
    const { rerender } = render(page(onClose, false));
    screen.getByRole('button', { name: 'New conversation' }).focus();
    rerender(page(onClose, true));
    screen.getByLabelText('What to remember').focus();
    fireEvent.keyDown(screen.getByLabelText('What to remember'), { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
    rerender(page(onClose, false));
    vi.runAllTimers();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'New conversation' }));
  });

  it('goes to the Talk button when the button that was focused is disabled now', () => {
    vi.useFakeTimers();
    const { rerender } = render(page(vi.fn(), false));
    const started = screen.getByRole('button', { name: 'New conversation' });
    started.focus();
    rerender(page(vi.fn(), true));
    started.setAttribute('disabled', '');
    screen.getByRole('button', { name: 'Not now' }).focus();
    rerender(page(vi.fn(), false));
    vi.runAllTimers();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Talk' }));
  });

  it('leaves the focus alone when it is elsewhere as the card goes', () => {
    vi.useFakeTimers();
    const { rerender } = render(page(vi.fn(), false));
    screen.getByRole('button', { name: 'New conversation' }).focus();
    rerender(page(vi.fn(), true));
    screen.getByRole('button', { name: 'Talk' }).focus();
    rerender(page(vi.fn(), false));
    vi.runAllTimers();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Talk' }));
  });
});
