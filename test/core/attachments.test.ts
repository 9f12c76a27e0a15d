import { describe, expect, it } from 'vitest';
import { Attachments } from '../../src/core/attachments.js';
import type { EndHook } from '../../src/core/manager-types.js';
import { ManualClock } from '../../src/testing/index.js';

function attachments(shared: boolean, idleTtlMs = 1000, sweepIntervalMs = 250) {
  const clock = new ManualClock();
  return { clock, book: new Attachments({ clock, shared, idleTtlMs, sweepIntervalMs }) };
}

const hook: EndHook = () => undefined;

describe('Attachments', () => {
  it('counts pins per session; only the last unpin of the current attachment restarts idling', () => {
    const { book } = attachments(false);
    const first = book.pin('s1');
    const second = book.pin('s1');
    expect(second).toBe(first);
    expect(book.pinnedCount).toBe(1);
    expect(book.isPinned('s1')).toBe(true);
    expect(book.unpin('s1', first)).toBe(false);
    expect(book.isPinned('s1')).toBe(true);
    expect(book.unpin('s1', first)).toBe(true);
    expect(book.isPinned('s1')).toBe(false);
    book.detachIfIdle('s1', first);
    expect(book.has('s1')).toBe(false);
  });

  it('an unpin of an attachment already taken does not ask for a touch', () => {
    const { book } = attachments(false);
    const attachment = book.pin('s1');
    expect(book.take('s1')).toBeUndefined();
    expect(book.unpin('s1', attachment)).toBe(false);
  });

  it('keeps hooks until removed or taken; take answers them once and forgets the session', () => {
    const { book } = attachments(false);
    const remove = book.addHook('s1', hook);
    book.addHook('s1', hook);
    expect(book.size).toBe(1);
    remove();
    expect(book.has('s1')).toBe(true);
    expect(book.take('s1')).toEqual([hook]);
    expect(book.has('s1')).toBe(false);
    expect(book.take('s1')).toBeUndefined();
    const removeLast = book.addHook('s2', hook);
    removeLast();
    expect(book.has('s2')).toBe(false);
  });

  it('a local store checks a session once after a hook is added (it may have ended), then never', () => {
    const { clock, book } = attachments(false);
    book.addHook('s1', hook);
    expect(book.dueForCheck(clock.now())).toEqual(['s1']);
    clock.advance(365 * 86_400_000);
    expect(book.dueForCheck(clock.now())).toEqual([]);
    book.pin('s2');
    expect(book.dueForCheck(clock.now())).toEqual([]);
  });

  it('a shared store checks each unpinned attachment once per period, not more often than the sweep', () => {
    const { clock, book } = attachments(true, 1000, 250);
    book.addHook('s1', hook);
    book.addHook('s2', hook);
    const pinned = book.pin('s2');
    expect(book.dueForCheck(clock.now())).toEqual(['s1']);
    expect(book.dueForCheck(clock.now())).toEqual([]);
    clock.advance(999);
    expect(book.dueForCheck(clock.now())).toEqual([]);
    clock.advance(1);
    expect(book.dueForCheck(clock.now())).toEqual(['s1']);
    book.unpin('s2', pinned);
    expect(book.dueForCheck(clock.now())).toEqual(['s2']);
    const slow = attachments(true, 1000, 5000);
    slow.book.addHook('s1', hook);
    expect(slow.book.dueForCheck(slow.clock.now())).toEqual(['s1']);
    slow.clock.advance(4999);
    expect(slow.book.dueForCheck(slow.clock.now())).toEqual([]);
    slow.clock.advance(1);
    expect(slow.book.dueForCheck(slow.clock.now())).toEqual(['s1']);
  });

  it('a written touch postpones the next check', () => {
    const { clock, book } = attachments(true, 1000, 250);
    book.addHook('s1', hook);
    clock.advance(500);
    book.touched('s1', clock.now());
    clock.advance(999);
    expect(book.dueForCheck(clock.now())).toEqual([]);
    clock.advance(1);
    expect(book.dueForCheck(clock.now())).toEqual(['s1']);
  });
});
