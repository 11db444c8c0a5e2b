import { describe, expect, it } from 'vitest';
import { closeMessage, consoleProtocols, consoleUrl } from './closeCodes';

describe('console socket', () => {
  it('says why it closed', () => {
    expect(closeMessage(4008)).toMatch(/idle/);
    expect(closeMessage(4030)).toMatch(/administrator/);
    expect(closeMessage(4999, 'odd')).toBe('The console closed (code 4999: odd).');
  });

  it('connects on the page host with the token as the second subprotocol', () => {
    expect(consoleUrl('/ws/consoles/abc', { protocol: 'https:', host: 'nexus.example:8443' })).toBe('wss://nexus.example:8443/ws/consoles/abc');
    expect(consoleUrl('/ws/x', { protocol: 'http:', host: '127.0.0.1:5000' })).toBe('ws://127.0.0.1:5000/ws/x');
    expect(consoleProtocols('nexus.console', 'tok')).toEqual(['nexus.console', 'nexus.console.tok']);
  });
});
