/**
 * This machine: the only place a key may travel over plain http, where servers need no key, and what
 * "Nothing leaves this computer" counts. The URL parser has already turned 127.1, 0x7f000001 and
 * [0:0:0:0:0:0:0:1] into their plain forms. 0.0.0.0 is not counted: it names no server (it is what a
 * server listens on), and Chrome is closing requests to it. A LAN address is another machine.
 */
export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return (
      host === 'localhost' ||
      // Chrome answers every *.localhost name from this machine itself, never from DNS.
      host.endsWith('.localhost') ||
      host === '[::1]' ||
      /^127(\.\d{1,3}){3}$/.test(host) ||
      // IPv4-mapped 127.x.x.x, as the parser writes it ([::ffff:127.0.0.1] → [::ffff:7f00:1]).
      /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host)
    );
  } catch {
    return false;
  }
}
