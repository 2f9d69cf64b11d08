import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => {
  cleanup();
});

// jsdom lays nothing out. The charts and the virtualized tables measure their boxes, so
// give every element the size of jsdom's window (1024 x 768) unless a test says otherwise,
// and a ResizeObserver that reports that size once, as a browser does when observing
// starts. Row heights stay 0 (`offsetHeight`), so a virtualized table shows every row
// unless a test gives rows a height.
export const LAYOUT = { width: 1024, height: 768 };

Object.defineProperty(HTMLElement.prototype, 'clientWidth', {
  configurable: true,
  get: () => LAYOUT.width,
});
Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
  configurable: true,
  get: () => LAYOUT.height,
});

class ResizeObserverStub {
  constructor(private readonly callback: ResizeObserverCallback) {}

  observe(target: Element) {
    const rect = { x: 0, y: 0, top: 0, left: 0, bottom: LAYOUT.height, right: LAYOUT.width, ...LAYOUT };
    const entry = { target, contentRect: { ...rect, toJSON: () => rect } } as unknown as ResizeObserverEntry;
    queueMicrotask(() => this.callback([entry], this as unknown as ResizeObserver));
  }

  unobserve() {}

  disconnect() {}
}

globalThis.ResizeObserver ??= ResizeObserverStub as unknown as typeof ResizeObserver;
