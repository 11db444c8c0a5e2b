/** The console socket's close codes (src/Nexus.Host/Consoles/README.md), in words a user understands. */
const messages: Record<number, string> = {
  1000: 'The console was closed.',
  1006: 'The connection was lost.',
  1011: 'The console relay was lost.',
  1012: 'The server is restarting. Reconnect in a moment.',
  4001: 'The console token was not accepted (expired or already used). Reconnect to get a new one.',
  4003: 'You may not open this console.',
  4008: 'The console was closed after being idle too long.',
  4010: 'The console reached its maximum session length.',
  4029: 'Too many console sessions are open. Close another one first.',
  4030: 'An administrator closed this console.',
  4502: 'Proxmox could not be reached.',
};

export function closeMessage(code: number, reason?: string): string {
  return messages[code] ?? `The console closed (code ${code}${reason ? `: ${reason}` : ''}).`;
}

/** The socket address for the API's `wsPath`, on the page's own host (the server checks the Origin). */
export function consoleUrl(wsPath: string, location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${wsPath}`;
}

/** The non-secret entry first: Chrome fails a handshake whose offered subprotocols get no answer, and the token one is never echoed. */
export function consoleProtocols(subprotocol: string, token: string): string[] {
  return [subprotocol || 'nexus.console', `nexus.console.${token}`];
}
