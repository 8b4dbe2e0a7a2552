import { BreakerWindow } from '../../../operators/reliability/breaker-window';

describe('BreakerWindow', () => {
  it('trips once it holds minimum outcomes and the failed share reaches the threshold', () => {
    const window = new BreakerWindow(1000);
    window.add(0, true);
    window.add(10, false);
    window.add(20, true);
    expect(window.tripped(20, 0.5, 4)).toBe(false);
    window.add(30, false);
    expect(window.tripped(30, 0.5, 4)).toBe(true);
    expect(window.tripped(30, 0.6, 4)).toBe(false);
  });

  it('never trips without a failure, even with a threshold of 0', () => {
    const window = new BreakerWindow(1000);
    for (let at = 0; at < 50; at += 10) window.add(at, false);
    expect(window.tripped(50, 0, 1)).toBe(false);
  });

  it('forgets outcomes older than the window, slot by slot', () => {
    const window = new BreakerWindow(100, 10);
    window.add(0, true);
    window.add(5, true);
    window.add(95, false);
    expect(window.tripped(95, 0.5, 3)).toBe(true);
    expect(window.tripped(105, 0.5, 1)).toBe(false); // the slot [0, 10) left the window
    window.add(105, true);
    expect(window.tripped(105, 0.5, 2)).toBe(true);
  });

  it('forgets everything when cleared', () => {
    const window = new BreakerWindow(1000);
    window.add(0, true);
    window.clear();
    expect(window.tripped(0, 0.1, 1)).toBe(false);
  });

  it('refuses a window of 0ms', () => {
    expect(() => new BreakerWindow(0)).toThrow(RangeError);
  });
});
