// One process inside a network namespace of the dataplane rig (test/harness/dataplane-rig.ts). Plain JavaScript so
// that it starts in milliseconds under `ip netns exec`. Two modes:
//
//   agent CONTROL_SOCKET IP TCP_PORTS UDP_PORTS   a "pod": TCP servers that answer "ok" and UDP echo servers on IP,
//       plus a prober driven over a Unix socket (Unix sockets are not namespaced, so the test process reaches it):
//       one JSON request per line { id, to, protocol, port, timeoutMs } → { id, result: open | refused | timeout }.
//   relay PORT UNIX_SOCKET                         the node namespace's way to the test API server: 127.0.0.1:PORT
//       inside the namespace is piped to a Unix socket the test process forwards to the real loopback port.
import net from 'node:net';
import dgram from 'node:dgram';

const [mode, ...args] = process.argv.slice(2);

function probeTcp(to, port, timeoutMs) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: to, port });
    let answer = '';
    const done = (result) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.on('data', (chunk) => {
      answer += chunk;
      if (answer === 'ok') done('open');
    });
    // A NetworkPolicy REJECT arrives as ICMP port unreachable: ECONNREFUSED.
    socket.on('error', (error) => done(error.code === 'ECONNREFUSED' || error.code === 'EHOSTUNREACH' ? 'refused' : `error ${error.code}`));
  });
}

function probeUdp(to, port, timeoutMs) {
  return new Promise((resolve) => {
    // Connected, so that an ICMP port unreachable (REJECT) surfaces as ECONNREFUSED instead of silence.
    const socket = dgram.createSocket('udp4');
    const done = (result) => {
      clearTimeout(timer);
      socket.close();
      resolve(result);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.on('message', (message) => message.toString() === 'ping' && done('open'));
    socket.on('error', (error) => done(error.code === 'ECONNREFUSED' || error.code === 'EHOSTUNREACH' ? 'refused' : `error ${error.code}`));
    socket.connect(port, to, () => socket.send('ping'));
  });
}

if (mode === 'agent') {
  const [control, ip, tcp, udp] = args;
  const listening = [];
  for (const port of tcp.split(',').filter(Boolean).map(Number)) {
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.end('ok');
    });
    listening.push(new Promise((resolve) => server.listen(port, ip, resolve)));
  }
  for (const port of udp.split(',').filter(Boolean).map(Number)) {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (message, remote) => socket.send(message, remote.port, remote.address));
    listening.push(new Promise((resolve) => socket.bind(port, ip, resolve)));
  }
  await Promise.all(listening);
  net
    .createServer((connection) => {
      let buffer = '';
      connection.on('error', () => {});
      connection.on('data', (chunk) => {
        buffer += chunk;
        let newline;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const request = JSON.parse(buffer.slice(0, newline));
          buffer = buffer.slice(newline + 1);
          const probe = request.protocol === 'UDP' ? probeUdp : probeTcp;
          probe(request.to, request.port, request.timeoutMs).then((result) => connection.write(`${JSON.stringify({ id: request.id, result })}\n`));
        }
      });
    })
    .listen(control);
} else if (mode === 'relay') {
  const [port, unixSocket] = args;
  net
    .createServer((inbound) => {
      const outbound = net.connect(unixSocket);
      inbound.pipe(outbound).pipe(inbound);
      inbound.on('error', () => outbound.destroy());
      outbound.on('error', () => inbound.destroy());
    })
    .listen(Number(port), '127.0.0.1');
} else {
  console.error(`dataplane-agent: unknown mode ${mode}`);
  process.exit(2);
}
