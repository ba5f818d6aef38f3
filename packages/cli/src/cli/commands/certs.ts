/** `qapi certs issue|revoke|crl|ca`. An issued private key is printed only with --show (or written to --key-out). */
import { writeFile } from 'node:fs/promises';
import type { RevocationReason } from '@quantumapi/sdk';
import { type Command, list, str } from '../context.js';
import { printJson, renderRecord } from '../io.js';

export const certsCommands: Record<string, Command> = {
  'certs issue': {
    usage: 'qapi certs issue --cn name [--dns host]... [--uri uri]... [--ttl 24h] [--key-out file] [--show]',
    summary: 'issue an ML-DSA-65 service certificate with a fresh key; prints the certificate PEM',
    positionals: 0,
    options: {
      cn: { type: 'string' },
      dns: { type: 'string', multiple: true },
      uri: { type: 'string', multiple: true },
      ttl: { type: 'string' },
      'key-out': { type: 'string' },
    },
    async run(ctx) {
      const cn = str(ctx.flags, 'cn');
      const ttl = str(ctx.flags, 'ttl');
      const dns = list(ctx.flags, 'dns');
      const uris = list(ctx.flags, 'uri');
      const issued = await ctx.client().certificates.issue({
        ...(cn ? { commonName: cn } : {}),
        ...(dns.length ? { dnsNames: dns } : {}),
        ...(uris.length ? { uris } : {}),
        ...(ttl ? { ttl: (/^\d+$/.test(ttl) ? Number(ttl) : ttl) as `${number}h` } : {}),
      });
      const keyOut = str(ctx.flags, 'key-out');
      // 0600: the key file is as secret as the key.
      if (keyOut) await writeFile(keyOut, issued.privateKey, { mode: 0o600, flag: 'wx' });
      const show = ctx.flags['show'] === true;
      const meta = {
        serialNumber: issued.serialNumber,
        subject: issued.subject,
        dnsNames: issued.dnsNames,
        notBefore: issued.notBefore,
        notAfter: issued.notAfter,
      };
      if (ctx.output === 'json') {
        printJson(ctx.io, {
          ...meta,
          certificate: issued.certificate,
          chain: issued.chain,
          ...(show ? { privateKey: issued.privateKey } : {}),
          ...(keyOut ? { privateKeyFile: keyOut } : {}),
        });
      } else {
        ctx.io.stderr.write(renderRecord({ ...meta, dnsNames: meta.dnsNames.join(',') }));
        ctx.io.stdout.write(issued.certificate.endsWith('\n') ? issued.certificate : `${issued.certificate}\n`);
        if (show) ctx.io.stdout.write(issued.privateKey.endsWith('\n') ? issued.privateKey : `${issued.privateKey}\n`);
        else if (!keyOut) ctx.io.stderr.write('private key not shown: use --key-out file or --show\n');
      }
      return 0;
    },
  },
  'certs revoke': {
    usage: 'qapi certs revoke <serial> [--reason keyCompromise]',
    summary: 'revoke a certificate (it appears on the next CRL)',
    positionals: 1,
    options: { reason: { type: 'string' } },
    async run(ctx) {
      const reason = str(ctx.flags, 'reason') as RevocationReason | undefined;
      const r = await ctx.client().certificates.revoke(ctx.args[0]!, reason);
      if (ctx.output === 'json') printJson(ctx.io, r);
      else ctx.io.stdout.write(renderRecord({ ...r }));
      return 0;
    },
  },
  'certs crl': {
    usage: 'qapi certs crl',
    summary: 'print the current CRL (PEM)',
    positionals: 0,
    async run(ctx) {
      const c = await ctx.client().certificates.crl();
      if (ctx.output === 'json') printJson(ctx.io, c);
      else ctx.io.stdout.write(c.crl.endsWith('\n') ? c.crl : `${c.crl}\n`);
      return 0;
    },
  },
  'certs ca': {
    usage: 'qapi certs ca',
    summary: 'print the CA chain (issuing CA first, root last; PEM)',
    positionals: 0,
    async run(ctx) {
      const ca = await ctx.client().certificates.caCertificate();
      if (ctx.output === 'json') printJson(ctx.io, ca);
      else ctx.io.stdout.write(ca.chain.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join(''));
      return 0;
    },
  },
};
