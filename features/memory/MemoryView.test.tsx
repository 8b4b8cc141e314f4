import path from 'node:path';
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProfileFact } from '@/core/db/schema';
import { applyInterfaceLanguage, setMessages } from '@/core/i18n';
import { MemoryView, type MemoryViewProps } from './MemoryView';
import { ProposalCard } from './ProposalCard';

const FACTS: ProfileFact[] = [
  { id: 'f1', kind: 'job', text: 'Works as a nurse', createdAt: 1, conversationId: 'c1' },
  { id: 'f2', kind: 'event', text: 'Has a job interview on Friday', createdAt: 2, conversationId: 'c1' },
];

function props(overrides: Partial<MemoryViewProps> = {}): MemoryViewProps {
  return {
    enabled: true,
    facts: FACTS,
    recurring: [{ point: 'past-simple', sessions: 2, count: 3, lastAt: 1 }],
    sounds: [],
    level: 'B1',
    onEdit: vi.fn(),
    onDelete: vi.fn(),
    onForget: vi.fn(),
    ...overrides,
  };
}

afterEach(async () => {
  cleanup();
  await applyInterfaceLanguage('browser');
});

describe('What your teacher remembers', () => {
  it('lists the facts, the recurring mistakes, the sounds and the level', () => {
    render(<MemoryView {...props()} />);
    expect(screen.getByRole('heading', { name: 'What your teacher remembers' })).toBeTruthy();
    expect(screen.getByText('Works as a nurse')).toBeTruthy();
    expect(screen.getByText('Past simple')).toBeTruthy();
    expect(screen.getByText('3 times in 2 conversations')).toBeTruthy();
    expect(screen.getByText('B1')).toBeTruthy();
    expect(screen.getByText('None yet.')).toBeTruthy();
  });

  it('says when memory is off that the teacher is told none of it', () => {
    render(<MemoryView {...props({ enabled: false })} />);
    expect(screen.getByText(/Memory is off/)).toBeTruthy();
  });

  it('edits a fact in place', () => {
    const onEdit = vi.fn();
    render(<MemoryView {...props({ onEdit })} />);
    fireEvent.click(screen.getByRole('button', { name: 'Edit “Works as a nurse”' }));
    expect(document.activeElement).toBe(screen.getByLabelText('What to remember'));
    fireEvent.input(screen.getByLabelText('What to remember'), { target: { value: 'Works as a head nurse' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(onEdit).toHaveBeenCalledWith('f1', { kind: 'job', text: 'Works as a head nurse' });
    expect(screen.queryByLabelText('What to remember')).toBeNull();
  });

  it('forgets everything only after the learner confirms', () => {
    const onForget = vi.fn();
    render(<MemoryView {...props({ onForget })} />);
    fireEvent.click(screen.getByRole('button', { name: 'Forget everything' }));
    expect(onForget).not.toHaveBeenCalled();
    expect(screen.getByText(/Your notebook and conversations stay/)).toBeTruthy();
    // Keyboard users land on the safe answer, and back on the button after it.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Cancel' }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onForget).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Forget everything' }));
    fireEvent.click(screen.getByRole('button', { name: 'Forget everything' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, forget everything' }));
    expect(onForget).toHaveBeenCalledTimes(1);
    expect(screen.getByRole('status').textContent).toBe('Your teacher has forgotten everything.');
  });

  it('speaks Simplified Chinese', async () => {
    const file = (locale: string) => path.resolve(__dirname, `../../locales/${locale}.yml`);
    const en = generateChromeMessages(await parseMessagesFile(file('en')));
    setMessages('zh_CN', generateChromeMessages(await parseMessagesFile(file('zh_CN'))), en);
    render(<MemoryView {...props()} />);
    expect(screen.getByRole('heading', { name: '老师记得的内容' })).toBeTruthy();
    expect(screen.getByText('一般过去时')).toBeTruthy();
    expect(screen.getByText('2 次对话中共 3 次')).toBeTruthy();
    expect(screen.getByRole('button', { name: '全部忘记' })).toBeTruthy();
  });
});

describe('the proposal card', () => {
  it('keeps a fact as the learner edited it, or deletes it unkept', () => {
    const onKeep = vi.fn();
    const onDiscard = vi.fn();
    render(
      <ProposalCard
        proposal={{
          conversationId: 'c1',
          facts: [
            { key: 'k1', kind: 'event', text: 'Has a job interview on Friday' },
            { key: 'k2', kind: 'name', text: 'Is called Li Wei' },
          ],
        }}
        onKeep={onKeep}
        onDiscard={onDiscard}
        onClose={vi.fn()}
      />,
    );
    const [text] = screen.getAllByLabelText('What to remember');
    fireEvent.input(text!, { target: { value: 'Has a job interview on Monday' } });
    fireEvent.click(screen.getByRole('button', { name: 'Keep “Has a job interview on Monday”' }));
    expect(onKeep).toHaveBeenCalledWith('k1', { kind: 'event', text: 'Has a job interview on Monday' });
    fireEvent.click(screen.getByRole('button', { name: 'Delete “Is called Li Wei” (not remembered)' }));
    expect(onDiscard).toHaveBeenCalledWith('k2');
  });

  it('moves the focus to the next fact when one leaves the card', () => {
    const facts = [
      { key: 'k1', kind: 'event' as const, text: 'Has a job interview on Friday' },
      { key: 'k2', kind: 'name' as const, text: 'Is called Li Wei' },
    ];
    const card = (shown: typeof facts) => (
      <ProposalCard
        proposal={{ conversationId: 'c1', facts: shown }}
        onKeep={vi.fn()}
        onDiscard={vi.fn()}
        onClose={vi.fn()}
      />
    );
    const { rerender } = render(card(facts));
    screen.getByRole('button', { name: 'Keep “Has a job interview on Friday”' }).focus();
    rerender(card(facts.slice(1)));
    expect(document.activeElement).toBe(screen.getByLabelText('About'));
  });
});
