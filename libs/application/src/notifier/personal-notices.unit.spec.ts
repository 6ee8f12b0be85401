import { ManualClock, T0, at } from '@approvals/testing';
import { PersonalNotices } from './personal-notices';

describe('PersonalNotices (a digest instead of a flood)', () => {
  const carol = { id: 'carol', name: 'Carol', groups: [] };
  const dave = { id: 'dave', name: 'Dave', groups: [] };

  it('sends the first notice at once, and the rest of the window as one digest at its end', async () => {
    const clock = new ManualClock(T0);
    const sent: string[] = [];
    const digests: { to: string; lines: string[] }[] = [];
    const notices = new PersonalNotices(clock, 60_000, async (recipient, lines) => void digests.push({ to: recipient.id, lines }));
    const notice = (recipient: typeof carol, line: string) => ({ recipient, line, send: async () => void sent.push(`${recipient.id}: ${line}`) });

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
    const clock = new ManualClock(T0);
    const sent: string[] = [];
    const notices = new PersonalNotices(clock, 60_000, async () => {
      throw new Error('no digest expected');
    });
    await notices.notify({ recipient: carol, line: 'a', send: async () => void sent.push('a') });
    await notices.notify({ recipient: carol, line: 'b', send: async () => void sent.push('b') });
    clock.instant = at(61);
    await notices.flush();
    expect(sent).toEqual(['a', 'b']);
  });
});
