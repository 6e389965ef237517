import type { Page } from '@playwright/test';

interface SocketControl {
  sockets: WebSocket[];
  blocked: boolean;
}

declare global {
  interface Window {
    __socketControl?: SocketControl;
  }
}

/**
 * Lets a test cut the page's WebSocket and hold it down: while blocked, new sockets go to a path
 * the server refuses and fail, as they would with the server away. Installed before the page loads.
 */
export async function installSocketControl(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const control: SocketControl = { sockets: [], blocked: false };
    window.__socketControl = control;
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        // A same-origin path the server refuses to upgrade: the socket fails as with the server away.
        super(control.blocked ? `ws://${window.location.host}/ws-blocked` : url, protocols);
        control.sockets.push(this);
      }
    };
  });
}

/** Closes the page's open sockets and keeps new ones from connecting. */
export async function dropSocket(page: Page): Promise<void> {
  await page.evaluate(() => {
    const control = window.__socketControl;
    if (!control) throw new Error('installSocketControl() was not called');
    control.blocked = true;
    for (const socket of control.sockets) socket.close();
  });
}

/** Lets sockets connect again and tells the page the network is back. */
export async function restoreSocket(page: Page): Promise<void> {
  await page.evaluate(() => {
    const control = window.__socketControl;
    if (!control) throw new Error('installSocketControl() was not called');
    control.blocked = false;
    window.dispatchEvent(new Event('online'));
  });
}

/** Chromium reports each refused connection as a console error: expected while blocked. */
export const isBlockedSocketError = (message: string): boolean =>
  /WebSocket connection to 'ws:\/\/[^']+\/ws-blocked' failed/.test(message);
