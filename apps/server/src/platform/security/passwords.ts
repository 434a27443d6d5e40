import { hash, verify } from '@node-rs/argon2';

// argon2id with OWASP's recommended minimums (19 MiB, 2 passes).
const OPTS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, OPTS);

// A hash of a random password with the same parameters, made once on first use. Checking a password
// against it when there is no real hash (unknown email, agent without a password) costs the same
// argon2 work as a real check, so the response time does not tell which emails exist.
let dummy: Promise<string> | null = null;
const dummyHash = () => {
  dummy ??= hash(`dummy-${Math.random()}-${Date.now()}`, OPTS);
  return dummy;
};

export async function verifyPassword(hashed: string | null, password: string): Promise<boolean> {
  try {
    if (!hashed) {
      await verify(await dummyHash(), password);
      return false;
    }
    return await verify(hashed, password);
  } catch {
    return false;
  }
}
