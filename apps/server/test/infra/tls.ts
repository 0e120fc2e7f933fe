import { chown, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand, serviceDir, serviceUser } from './daemon.js';

export type Certificates = {
  dir: string;
  /** The CA that signed the server certificate. */
  caFile: string;
  /** Another CA, which signed nothing the server shows. */
  otherCaFile: string;
  /** The server's certificate (for `localhost` only) and key, readable by PostgreSQL. */
  certFile: string;
  keyFile: string;
  remove(): Promise<void>;
};

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A throw-away CA and a server certificate it signed, for `localhost`, made with openssl. */
export async function makeCertificates(): Promise<Certificates> {
  const dir = await serviceDir('tls');
  const at = (name: string) => join(dir.path, name);
  const ca = (name: string) =>
    runCommand('openssl', [
      'req',
      '-x509',
      ...EC,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      at(`${name}.key`),
      '-out',
      at(`${name}.crt`),
    ]);
  ca('usermeta-test-ca');
  ca('usermeta-other-ca');
  runCommand('openssl', [
    'req',
    ...EC,
    '-subj',
    '/CN=localhost',
    '-keyout',
    at('server.key'),
    '-out',
    at('server.csr'),
  ]);
  await writeFile(at('san.ext'), 'subjectAltName=DNS:localhost\n');
  runCommand('openssl', [
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('usermeta-test-ca.crt'),
    '-CAkey',
    at('usermeta-test-ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    at('san.ext'),
    '-out',
    at('server.crt'),
  ]);
  // PostgreSQL insists that its key be private to the user it runs as.
  const user = serviceUser();
  if (user) {
    await chown(at('server.key'), user.uid, user.gid);
    await chown(at('server.crt'), user.uid, user.gid);
  }
  return {
    dir: dir.path,
    caFile: at('usermeta-test-ca.crt'),
    otherCaFile: at('usermeta-other-ca.crt'),
    certFile: at('server.crt'),
    keyFile: at('server.key'),
    remove: dir.remove,
  };
}
