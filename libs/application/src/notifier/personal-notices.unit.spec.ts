import { ManualClock, T0, at } from '@approvals/testing';
import type { PendingApproval } from './pending-approval';
import { InMemoryPersonalNoticeStore, type PersonalNotice, PersonalNotices } from './personal-notices';

describe('PersonalNotices (a digest instead of a flood)', () => {
  const carol = { id: 'carol', name: 'Carol', groups: [] };
  const dave = { id: 'dave', name: 'Dave', groups: [] };
  const item = { actionId: 'act-1' } as PendingApproval;
  const notice = (recipient: typeof carol, line: string): PersonalNotice => ({ recipient, line, message: { kind: 'owner', item, outcome: line } });

  const given = () => {
    const clock = new ManualClock(T0);
    const sent: string[] = [];
    const digests: { to: string; lines: string[] }[] = [];
    const store = new InMemoryPersonalNoticeStore();
    const notices = (): PersonalNotices =>
      new PersonalNotices(clock, 60_000, store, async (one) => void sent.push(`${one.recipient.id}: ${one.line}`), async (recipient, lines) => void digests.push({ to: recipient.id, lines }));
    return { clock, sent, digests, notices };
  };

  it('sends the first notice at once, and the rest of the window as one digest at its end', async () => {
    const { clock, sent, digests, notices: make } = given();
    const notices = make();
    await notices.notify(notice(carol, 'one'));
    await notices.notify(notice(carol, 'two'));
    await notices.notify(notice(carol, 'three'));
    await notices.notify(notice(dave, 'for dave'));
    expect(sent).toEqual(['carol: one', 'dave: for dave']);

    clock.instant = at(30);
    expect(await notices.flush()).toBe(0); // the window is still open
    clock.instant = at(60);
    expect(await notices.flush()).toBe(1);
    expect(digests).toEqual([{ to: 'carol', lines: ['two', 'three'] }]);

    // A new window: the next notice goes out at once again.
    await notices.notify(notice(carol, 'four'));
    expect(sent.at(-1)).toBe('carol: four');
  });

  it('sends a single held notice as itself, not as a digest of one', async () => {
    const { clock, sent, digests, notices: make } = given();
    const notices = make();
    await notices.notify(notice(carol, 'a'));
    await notices.notify(notice(carol, 'b'));
    clock.instant = at(61);
    await notices.flush();
    expect(sent).toEqual(['carol: a', 'carol: b']);
    expect(digests).toEqual([]);
  });

  it('keeps one window per person across replicas sharing the store, and sends each digest once', async () => {
    const { clock, sent, digests, notices: make } = given();
    const [one, two] = [make(), make()];
    await one.notify(notice(carol, 'first'));
    await two.notify(notice(carol, 'second'));
    await one.notify(notice(carol, 'third'));
    expect(sent).toEqual(['carol: first']);
    clock.instant = at(60);
    expect(await Promise.all([one.flush(), two.flush()])).toEqual(expect.arrayContaining([0, 1]));
    expect(digests).toEqual([{ to: 'carol', lines: ['second', 'third'] }]);
  });
});
