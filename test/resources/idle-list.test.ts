import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdleList, type IdleNode } from '../../src/resources/idle-list.js';

interface Item extends IdleNode {
  readonly name: number;
}

function item(name: number): Item {
  return { name, idlePrev: undefined, idleNext: undefined, idleSince: 0, idleLinked: false };
}

function order(list: IdleList<Item>): number[] {
  const names: number[] = [];
  for (let node = list.oldest; node !== undefined; node = node.idleNext as Item | undefined) {
    names.push(node.name);
  }
  return names;
}

describe('IdleList', () => {
  it('keeps items in order of last touch, whatever the sequence of touches and removals', () => {
    const op = fc.record({ touch: fc.boolean(), name: fc.integer({ min: 0, max: 7 }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const list = new IdleList<Item>();
        const items = Array.from({ length: 8 }, (_, i) => item(i));
        let model: number[] = [];
        const touchedAt = new Map<number, number>();
        ops.forEach(({ touch, name }, step) => {
          model = model.filter((n) => n !== name);
          if (touch) {
            list.touch(items[name]!, step);
            model.push(name);
            touchedAt.set(name, step);
          } else {
            list.remove(items[name]!);
          }
        });
        expect(order(list)).toEqual(model);
        for (const it of items) expect(it.idleLinked).toBe(model.includes(it.name));
        for (const name of model) expect(items[name]!.idleSince).toBe(touchedAt.get(name));
      }),
      { numRuns: 300 },
    );
  });

  it('records when an item was touched, also when it is already the newest', () => {
    const list = new IdleList<Item>();
    const a = item(1);
    list.touch(a, 10);
    list.touch(a, 20);
    expect(a.idleSince).toBe(20);
    expect(order(list)).toEqual([1]);
    list.remove(a);
    list.remove(a);
    expect(list.oldest).toBeUndefined();
  });
});
