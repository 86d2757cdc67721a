// A registry on 127.0.0.1 that holds one packed tarball and sends npm to the real registry for every
// other request: `npm install <name>@<version>` from it is an install from a registry, as a user's is
// (npm treats a tarball file differently: it counts its `prepare` as an install script).
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';

export interface Packed {
  name: string;
  version: string;
  /** The package.json inside the tarball. */
  manifest: Record<string, unknown>;
  file: string;
  integrity: string;
  shasum: string;
}

export interface LocalRegistry {
  url: string;
  /** How many times npm asked for the package's document (the tarball itself may come from npm's cache). */
  packumentFetches(): number;
  close(): Promise<void>;
}

export async function localRegistry(packed: Packed, upstream: string): Promise<LocalRegistry> {
  const base = upstream.replace(/\/?$/, '/');
  const tarballPath = `/${packed.name}/-/${packed.name}-${packed.version}.tgz`;
  let fetches = 0;
  const server = http.createServer((req, res) => {
    try {
      const url = req.url ?? '/';
      if (url === `/${packed.name}`) {
        fetches++;
        const { port } = server.address() as AddressInfo;
        const doc = {
          name: packed.name,
          'dist-tags': { latest: packed.version },
          versions: {
            [packed.version]: {
              ...packed.manifest,
              _id: `${packed.name}@${packed.version}`,
              dist: { tarball: `http://127.0.0.1:${port}${tarballPath}`, integrity: packed.integrity, shasum: packed.shasum },
            },
          },
        };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(doc));
        return;
      }
      if (url === tarballPath) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(fs.readFileSync(packed.file));
        return;
      }
      // Everything else (the dependencies) is npm's to fetch from the real registry, with its own configuration
      // (a cafile, a proxy): fetching it here would use Node's, which may not reach the registry at all (a
      // machine whose TLS goes through a proxy with its own CA: npm has the CA, Node's fetch does not).
      res.writeHead(302, { location: new URL(url.replace(/^\//, ''), base).href });
      res.end();
    } catch (err) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`local registry: ${(err as Error).message}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    packumentFetches: () => fetches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
