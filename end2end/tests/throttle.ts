// A slow phone network for one browser context: an HTTP proxy on loopback that passes every
// request and answer through, but lets request bodies out only at `bytesPerSecond` (as a phone's
// upload link would). Chromium's own network emulation does not slow request bodies, and an
// intercepted route cannot hold a form post with files, so the slowness is made here.
import http from "node:http";
import net, { type AddressInfo } from "node:net";

export type Throttle = { proxy: { server: string; bypass: string }; close: () => Promise<void> };

/**
 * `wasmAfterMs`: the page's wasm arrives only this long after it was asked for, as a large
 * download on a slow link would (the page stays as the server rendered it meanwhile). The main
 * module is held; the page's chunks, which the main module asks for once it runs, follow it.
 */
export async function throttledProxy(bytesPerSecond: number, wasmAfterMs = 0): Promise<Throttle> {
  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? "/");
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers },
      (answer) => {
        const send = () => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        };
        if (wasmAfterMs > 0 && /\/mss(\.[\w-]+)?\.wasm$/.test(target.pathname)) setTimeout(send, wasmAfterMs);
        else send();
      },
    );
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    // The body, a tenth of a second's worth at a time.
    const slice = Math.max(1, Math.floor(bytesPerSecond / 10));
    const queue: Buffer[] = [];
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    const pump = () => {
      let budget = slice;
      while (budget > 0 && queue.length) {
        const head = queue[0];
        const part = head.subarray(0, budget);
        upstream.write(part);
        budget -= part.length;
        if (part.length === head.length) queue.shift();
        else queue[0] = head.subarray(part.length);
      }
      if (queue.length) timer = setTimeout(pump, 100);
      else {
        timer = undefined;
        if (ended) upstream.end();
      }
    };
    req.on("data", (chunk: Buffer) => {
      queue.push(chunk);
      if (!timer) timer = setTimeout(pump, 100);
    });
    req.on("end", () => {
      ended = true;
      if (!timer) pump();
    });
  });
  // Tunnels (Playwright's own API requests use them), passed through as they are.
  server.on("connect", (req, client, head) => {
    const [host, port] = (req.url ?? "").split(":");
    const upstream = net.connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    // `<-loopback>`: Chromium sends even 127.0.0.1 through the proxy.
    proxy: { server: `http://127.0.0.1:${port}`, bypass: "<-loopback>" },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
