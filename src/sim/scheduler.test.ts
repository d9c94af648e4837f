import { describe, expect, it } from 'vitest';
import { cancelTask, Scheduler } from './scheduler.js';

function manual(): { scheduler: Scheduler; advance(ms: number): void } {
  let t = 0;
  const scheduler = new Scheduler({ clock: { now: () => t }, autoStart: false });
  return { scheduler, advance: (ms) => ((t += ms), scheduler.runDue()) };
}

describe('Scheduler', () => {
  it('runs tasks in due order, equal due times in the order they were added', () => {
    const { scheduler, advance } = manual();
    const ran: string[] = [];
    scheduler.after(30, () => ran.push('c'));
    scheduler.after(10, () => ran.push('a1'));
    scheduler.after(10, () => ran.push('a2'));
    scheduler.after(20, () => ran.push('b'));
    advance(15);
    expect(ran).toEqual(['a1', 'a2']);
    advance(100);
    expect(ran).toEqual(['a1', 'a2', 'b', 'c']);
    expect(scheduler.size).toBe(0);
  });

  it('a cancelled task never runs; a task may schedule the next one', () => {
    const { scheduler, advance } = manual();
    let ticks = 0;
    const tick = (): void => {
      ticks += 1;
      scheduler.after(10, tick);
    };
    scheduler.after(10, tick);
    const cancelled = scheduler.after(5, () => {
      throw new Error('must not run');
    });
    cancelTask(cancelled);
    advance(10);
    advance(10);
    advance(10);
    expect(ticks).toBe(3);
  });

  it('keeps order across thousands of random entries', () => {
    const { scheduler, advance } = manual();
    const due: number[] = [];
    for (let i = 0; i < 5_000; i++) {
      const at = Math.floor(Math.random() * 100_000);
      scheduler.at(at, () => due.push(at));
    }
    advance(100_000);
    expect(due).toHaveLength(5_000);
    expect(due.every((v, i) => i === 0 || (due[i - 1] ?? 0) <= v)).toBe(true);
  });

  it('a task that throws is reported and the others still run', () => {
    let t = 0;
    const errors: unknown[] = [];
    const scheduler = new Scheduler({ clock: { now: () => t }, autoStart: false, onTaskError: (e) => errors.push(e) });
    let ran = false;
    scheduler.after(1, () => {
      throw new Error('boom');
    });
    scheduler.after(2, () => (ran = true));
    t = 5;
    scheduler.runDue();
    expect(ran).toBe(true);
    expect(errors).toHaveLength(1);
  });
});

describe('Scheduler lanes (afterFixed)', () => {
  it('interleaves lane and heap tasks by due time, then by the order added', () => {
    const { scheduler, advance } = manual();
    const ran: string[] = [];
    scheduler.afterFixed(10, () => ran.push('fixed10-a'));
    scheduler.after(5, () => ran.push('heap5'));
    scheduler.after(10, () => ran.push('heap10'));
    scheduler.afterFixed(10, () => ran.push('fixed10-b'));
    scheduler.afterFixed(3, () => ran.push('fixed3'));
    scheduler.after(20, () => ran.push('heap20'));
    advance(9);
    expect(ran).toEqual(['fixed3', 'heap5']);
    advance(100);
    expect(ran).toEqual(['fixed3', 'heap5', 'fixed10-a', 'heap10', 'fixed10-b', 'heap20']);
    expect(scheduler.size).toBe(0);
  });

  it('a cancelled lane task never runs; a repeating lane task runs once per period', () => {
    const { scheduler, advance } = manual();
    let ticks = 0;
    const tick = (): void => {
      ticks += 1;
      scheduler.afterFixed(10, tick);
    };
    scheduler.afterFixed(10, tick);
    cancelTask(
      scheduler.afterFixed(10, () => {
        throw new Error('must not run');
      }),
    );
    for (let i = 0; i < 2_500; i++) advance(10);
    expect(ticks).toBe(2_500);
    expect(scheduler.size).toBe(1);
  });

  it('stays in due order when the clock goes back (the late entry goes to the heap)', () => {
    let t = 1_000;
    const scheduler = new Scheduler({ clock: { now: () => t }, autoStart: false });
    const ran: string[] = [];
    scheduler.afterFixed(100, () => ran.push('first, due 1100'));
    t = 900;
    scheduler.afterFixed(100, () => ran.push('second, due 1000'));
    t = 1_050;
    scheduler.runDue();
    expect(ran).toEqual(['second, due 1000']);
    t = 1_100;
    scheduler.runDue();
    expect(ran).toEqual(['second, due 1000', 'first, due 1100']);
  });
});
