import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { Injectable } from '@nestjs/common';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));

/** scrypt (memory-hard, in node:crypto: no native addon). Stored as scrypt$N$r$p$salt$hash so parameters can grow. */
@Injectable()
export class PasswordHasher {
  private static readonly N = 1 << 15;
  private static readonly r = 8;
  private static readonly p = 1;
  private static readonly maxmem = 64 * 1024 * 1024;

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const { N, r, p, maxmem } = PasswordHasher;
    const key = await scrypt(password, salt, 32, { N, r, p, maxmem });
    return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !hash) return false;
    const expected = Buffer.from(hash, 'base64url');
    const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: PasswordHasher.maxmem,
    });
    return timingSafeEqual(key, expected);
  }
}
